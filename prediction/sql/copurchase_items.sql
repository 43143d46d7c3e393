-- What each customer has bought (completed purchases before the cut-off): every product, and
-- every category (the sale's own, else its product's). One row per customer and item.
CREATE TEMP TABLE pred_items ON COMMIT DROP AS
SELECT DISTINCT t.customer_id, 'product'::text AS kind, t.product_id AS item
FROM customers_transaction t
WHERE t.tenant_id = %(tenant)s AND t.kind = 'purchase' AND t.status = 'completed'
  AND t.occurred_at < %(until)s AND t.product_id IS NOT NULL
UNION
SELECT DISTINCT t.customer_id, 'category', coalesce(t.category_id, p.category_id)
FROM customers_transaction t
LEFT JOIN customers_product p ON p.id = t.product_id
WHERE t.tenant_id = %(tenant)s AND t.kind = 'purchase' AND t.status = 'completed'
  AND t.occurred_at < %(until)s AND coalesce(t.category_id, p.category_id) IS NOT NULL;
