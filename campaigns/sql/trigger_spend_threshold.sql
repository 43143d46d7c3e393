-- Customers whose total completed purchases reached the threshold since the campaign started
-- (below it before the start, at or above it now); once per customer and threshold.
SELECT t.customer_id, 'spend:' || %(amount)s::numeric::text AS occurrence
FROM customers_transaction t
WHERE t.tenant_id = %(tenant)s
  AND t.kind = 'purchase' AND t.status = 'completed'
  AND t.occurred_at <= %(now)s
  AND t.customer_id IN (
      SELECT n.customer_id FROM customers_transaction n
      WHERE n.tenant_id = %(tenant)s AND n.kind = 'purchase' AND n.status = 'completed'
        AND n.occurred_at >= %(since)s AND n.occurred_at <= %(now)s
  )
GROUP BY t.customer_id
HAVING sum(t.amount) >= %(amount)s::numeric
   AND COALESCE(sum(t.amount) FILTER (WHERE t.occurred_at < %(since)s), 0) < %(amount)s::numeric
