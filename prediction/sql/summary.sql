-- The RFM summary of the customers with ids from %(first_customer)s up to (not including)
-- %(after_customer)s (one part of the tenant's customers, services/summary.py) who made a
-- completed purchase up to the reference date, on lifetimes' definitions
-- (summary_data_from_transaction_data, freq="D"): purchases are grouped into purchase days
-- (the tenant's local calendar), and
--   frequency = purchase days - 1 (the repeat purchase days)
--   recency   = days from the first to the last purchase day
--   age (T)   = days from the first purchase day to the reference date
--   monetary  = mean value of the repeat purchase days (the first day left out), 0 without any
-- The columns are those of the temporary table pred_summary (services/summary.py), which the
-- parts fill.
--
-- One pass, no window: the purchase days are grouped again per customer. The first day's
-- value, which monetary leaves out, is read from min(day number × 10^20 + value): the
-- smallest is the first day's (a day's value is non-negative and far below 10^20), and the
-- day's part is subtracted again. Archived customers are left out by an anti-join on the few
-- of them.
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
FROM (
    SELECT t.customer_id,
           (t.occurred_at AT TIME ZONE %(timezone)s)::date AS day,
           sum(t.amount) AS amount
    FROM customers_transaction t
    WHERE t.tenant_id = %(tenant)s
      AND t.kind = 'purchase'
      AND t.status = 'completed'
      AND t.occurred_at < %(until)s
      AND t.customer_id >= %(first_customer)s AND t.customer_id < %(after_customer)s
      AND NOT EXISTS (
          SELECT FROM customers_customer c
          WHERE c.id = t.customer_id AND c.tenant_id = %(tenant)s AND c.archived_at IS NOT NULL
            -- the part's range again: the customers' scan then reads this part only
            AND c.id >= %(first_customer)s AND c.id < %(after_customer)s
      )
    GROUP BY 1, 2
) purchase_days
GROUP BY customer_id
