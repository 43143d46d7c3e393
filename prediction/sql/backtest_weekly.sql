-- Actual purchase days in each week of the holdout by the calibration customers.
SELECT ((t.occurred_at AT TIME ZONE %(timezone)s)::date - %(cutoff)s::date - 1) / 7 AS week,
       count(DISTINCT (t.customer_id, (t.occurred_at AT TIME ZONE %(timezone)s)::date))
FROM customers_transaction t
JOIN pred_summary s ON s.customer_id = t.customer_id
WHERE t.tenant_id = %(tenant)s AND t.kind = 'purchase' AND t.status = 'completed'
  AND t.occurred_at >= %(until)s AND t.occurred_at < %(holdout_until)s
GROUP BY 1 ORDER BY 1;
