-- Per customer of the calibration summary (pred_summary at the cut-off): the BG/NBD prediction
-- for the holdout (pred_backtest, per frequency/recency/age) and what they actually did there,
-- counted like lifetimes' calibration_and_holdout_data: purchase days in the holdout.
CREATE TEMP TABLE pred_backtest_customers ON COMMIT DROP AS
SELECT s.customer_id, s.frequency, b.expected, coalesce(h.days, 0) AS actual
FROM pred_summary s
JOIN pred_backtest b USING (frequency, recency, age)
LEFT JOIN (
    SELECT t.customer_id,
           count(DISTINCT (t.occurred_at AT TIME ZONE %(timezone)s)::date) AS days
    FROM customers_transaction t
    WHERE t.tenant_id = %(tenant)s AND t.kind = 'purchase' AND t.status = 'completed'
      AND t.occurred_at >= %(until)s AND t.occurred_at < %(holdout_until)s
    GROUP BY t.customer_id
) h ON h.customer_id = s.customer_id;
