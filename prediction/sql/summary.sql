-- The RFM summary of every customer who made a completed purchase up to the reference date,
-- on lifetimes' definitions (summary_data_from_transaction_data, freq="D"): purchases are
-- grouped into purchase days (the tenant's local calendar), and
--   frequency = purchase days - 1 (the repeat purchase days)
--   recency   = days from the first to the last purchase day
--   age (T)   = days from the first purchase day to the reference date
--   monetary  = mean value of the repeat purchase days (the first day left out), 0 without any
--
-- One pass, no window: the purchase days arrive in customer order (the transactions' customer
-- index) and are grouped again per customer. The first day's value, which monetary leaves
-- out, is read from min(day number × 10^20 + value): the smallest is the first day's (a day's
-- value is non-negative and far below 10^20), and the day's part is subtracted again.
-- Archived customers are left out by an anti-join on the few of them.
CREATE TEMP TABLE pred_summary ON COMMIT DROP AS
WITH purchase_days AS (
    SELECT t.customer_id,
           (t.occurred_at AT TIME ZONE %(timezone)s)::date AS day,
           sum(t.amount) AS amount
    FROM customers_transaction t
    WHERE t.tenant_id = %(tenant)s
      AND t.kind = 'purchase'
      AND t.status = 'completed'
      AND t.occurred_at < %(until)s
      AND NOT EXISTS (
          SELECT FROM customers_customer c
          WHERE c.id = t.customer_id AND c.tenant_id = %(tenant)s AND c.archived_at IS NOT NULL
      )
    GROUP BY 1, 2
)
SELECT customer_id,
       (count(*) - 1)::int AS frequency,
       (max(day) - min(day))::int AS recency,
       (%(as_of)s::date - min(day))::int AS age,
       coalesce(
           (sum(amount) - (min((day - DATE '2000-01-01') * 1e20 + amount)
                           - (min(day) - DATE '2000-01-01') * 1e20))
           / nullif(count(*) - 1, 0),
           0
       ) AS monetary
FROM purchase_days
GROUP BY customer_id;
