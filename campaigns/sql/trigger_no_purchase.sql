-- Customers whose last completed purchase became N days old since the campaign started; the
-- occurrence is that purchase's date, so buying again and lapsing again is a new occurrence.
SELECT t.customer_id,
       'lapsed:' || to_char(max(t.occurred_at) AT TIME ZONE %(timezone)s, 'YYYY-MM-DD') AS occurrence
FROM customers_transaction t
WHERE t.tenant_id = %(tenant)s
  AND t.kind = 'purchase' AND t.status = 'completed'
  AND t.occurred_at <= %(now)s
GROUP BY t.customer_id
HAVING max(t.occurred_at) < %(now)s - make_interval(days => %(days)s)
   AND max(t.occurred_at) >= %(since)s - make_interval(days => %(days)s)
