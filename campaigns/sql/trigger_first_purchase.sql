-- Customers whose first completed purchase happened since the campaign started.
SELECT DISTINCT t.customer_id, 'first_purchase' AS occurrence
FROM customers_transaction t
WHERE t.tenant_id = %(tenant)s
  AND t.kind = 'purchase' AND t.status = 'completed'
  AND t.occurred_at >= %(since)s AND t.occurred_at <= %(now)s
  AND NOT EXISTS (
      SELECT 1 FROM customers_transaction e
      WHERE e.customer_id = t.customer_id
        AND e.kind = 'purchase' AND e.status = 'completed'
        AND e.occurred_at < %(since)s
  )
