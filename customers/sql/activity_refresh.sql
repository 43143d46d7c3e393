-- The customer list's activity per customer (CustomerActivity): last completed purchase, last
-- contact, completed purchases since %(since)s. For the tenant's customers, or only those in
-- %(customer_ids)s when it is not NULL. Rows that would not change are not written.
INSERT INTO customers_customeractivity
    (customer_id, tenant_id, last_purchase_at, last_contact_at, revenue_window, refreshed_at)
SELECT c.id, c.tenant_id, p.last_purchase_at, i.last_contact_at, COALESCE(p.revenue, 0), now()
FROM customers_customer c
LEFT JOIN (
    SELECT t.customer_id,
           max(t.occurred_at) AS last_purchase_at,
           sum(t.amount) FILTER (WHERE t.occurred_at >= %(since)s) AS revenue
    FROM customers_transaction t
    WHERE t.tenant_id = %(tenant_id)s
      AND t.status = 'completed' AND t.kind = 'purchase'
      AND (%(customer_ids)s::bigint[] IS NULL OR t.customer_id = ANY(%(customer_ids)s::bigint[]))
    GROUP BY t.customer_id
) p ON p.customer_id = c.id
LEFT JOIN (
    SELECT x.customer_id, max(x.occurred_at) AS last_contact_at
    FROM customers_interaction x
    WHERE x.tenant_id = %(tenant_id)s
      AND (%(customer_ids)s::bigint[] IS NULL OR x.customer_id = ANY(%(customer_ids)s::bigint[]))
    GROUP BY x.customer_id
) i ON i.customer_id = c.id
WHERE c.tenant_id = %(tenant_id)s
  AND (%(customer_ids)s::bigint[] IS NULL OR c.id = ANY(%(customer_ids)s::bigint[]))
ON CONFLICT (customer_id) DO UPDATE
SET last_purchase_at = EXCLUDED.last_purchase_at,
    last_contact_at = EXCLUDED.last_contact_at,
    revenue_window = EXCLUDED.revenue_window,
    refreshed_at = EXCLUDED.refreshed_at
WHERE (customers_customeractivity.last_purchase_at, customers_customeractivity.last_contact_at,
       customers_customeractivity.revenue_window)
      IS DISTINCT FROM (EXCLUDED.last_purchase_at, EXCLUDED.last_contact_at,
                        EXCLUDED.revenue_window)
