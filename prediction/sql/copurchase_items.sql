-- What each customer has bought (completed purchases before the cut-off), one row per customer
-- and item: every product (kind 0), and every category (kind 1: the sale's own, else its
-- product's). Streamed out with COPY to build the co-purchase counts (services/suggestions.py).
SELECT DISTINCT t.customer_id, 0 AS kind, t.product_id AS item
FROM customers_transaction t
WHERE t.tenant_id = %(tenant)s AND t.kind = 'purchase' AND t.status = 'completed'
  AND t.occurred_at < %(until)s AND t.product_id IS NOT NULL
UNION ALL
SELECT DISTINCT t.customer_id, 1, coalesce(t.category_id, p.category_id)
FROM customers_transaction t
LEFT JOIN customers_product p ON p.id = t.product_id
WHERE t.tenant_id = %(tenant)s AND t.kind = 'purchase' AND t.status = 'completed'
  AND t.occurred_at < %(until)s AND coalesce(t.category_id, p.category_id) IS NOT NULL
