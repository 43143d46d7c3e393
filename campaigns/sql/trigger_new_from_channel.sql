-- Customers created since the campaign started who came through the given acquisition channel.
SELECT c.id AS customer_id, 'new' AS occurrence
FROM customers_customer c
WHERE c.tenant_id = %(tenant)s
  AND c.acquisition_channel = %(channel)s
  AND c.created_at >= %(since)s AND c.created_at <= %(now)s
