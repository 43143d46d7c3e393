-- The RFM summary of every customer who made a completed purchase up to the reference date,
-- on lifetimes' definitions (summary_data_from_transaction_data, freq="D"): purchases are
-- grouped into purchase days (the tenant's local calendar), and
--   frequency = purchase days - 1 (the repeat purchase days)
--   recency   = days from the first to the last purchase day
--   age (T)   = days from the first purchase day to the reference date
--   monetary  = mean value of the repeat purchase days (the first day left out), 0 without any
CREATE TEMP TABLE pred_summary ON COMMIT DROP AS
WITH purchase_days AS (
    SELECT t.customer_id,
           (t.occurred_at AT TIME ZONE %(timezone)s)::date AS day,
           sum(t.amount) AS amount
    FROM customers_transaction t
    JOIN customers_customer c ON c.id = t.customer_id
    WHERE t.tenant_id = %(tenant)s
      AND t.kind = 'purchase'
      AND t.status = 'completed'
      AND t.occurred_at < %(until)s
      AND c.archived_at IS NULL
    GROUP BY 1, 2
), numbered AS (
    SELECT customer_id, day, amount,
           min(day) OVER (PARTITION BY customer_id) AS first_day
    FROM purchase_days
)
SELECT customer_id,
       (count(*) - 1)::int AS frequency,
       (max(day) - min(day))::int AS recency,
       (%(as_of)s::date - min(day))::int AS age,
       coalesce(
           sum(amount) FILTER (WHERE day > first_day) / nullif(count(*) - 1, 0), 0
       ) AS monetary
FROM numbered
GROUP BY customer_id;
