-- How good the product suggestions were: of the customers with a purchase history before the
-- cut-off who bought a product in the holdout period, the share who bought one of their top 3
-- suggested products (the model) and the share who bought one of the 3 most popular products
-- they did not have yet (the baseline). Reads pred_items and the suggestions just written.
WITH holdout AS (
    SELECT DISTINCT t.customer_id, t.product_id
    FROM customers_transaction t
    WHERE t.tenant_id = %(tenant)s AND t.kind = 'purchase' AND t.status = 'completed'
      AND t.occurred_at >= %(until)s AND t.occurred_at < %(holdout_until)s
      AND t.product_id IS NOT NULL
), buyers AS (
    SELECT DISTINCT h.customer_id FROM holdout h
    WHERE EXISTS (SELECT 1 FROM pred_items i WHERE i.customer_id = h.customer_id)
), popular AS (
    SELECT item, row_number() OVER (ORDER BY count(*) DESC, item) AS position
    FROM pred_items WHERE kind = 'product' GROUP BY item
), baseline AS (
    SELECT customer_id, item
    FROM (
        SELECT b.customer_id, p.item, row_number() OVER (
            PARTITION BY b.customer_id ORDER BY p.position
        ) AS position
        FROM buyers b
        CROSS JOIN (SELECT item, position FROM popular WHERE position <= 50) p
        WHERE NOT EXISTS (
            SELECT 1 FROM pred_items had
            WHERE had.customer_id = b.customer_id AND had.kind = 'product' AND had.item = p.item
        )
    ) ranked
    WHERE position <= 3
)
SELECT
    (SELECT count(*) FROM buyers),
    (SELECT count(*) FROM buyers b WHERE EXISTS (
        SELECT 1 FROM prediction_productsuggestion s
        JOIN holdout h ON h.customer_id = s.customer_id AND h.product_id = s.product_id
        WHERE s.tenant_id = %(tenant)s AND s.customer_id = b.customer_id AND s.kind = 'product')),
    (SELECT count(*) FROM buyers b WHERE EXISTS (
        SELECT 1 FROM baseline s
        JOIN holdout h ON h.customer_id = s.customer_id AND h.product_id = s.item
        WHERE s.customer_id = b.customer_id)),
    (SELECT count(DISTINCT customer_id) FROM prediction_productsuggestion
     WHERE tenant_id = %(tenant)s AND kind = 'product'
       AND customer_id IN (SELECT customer_id FROM buyers));
