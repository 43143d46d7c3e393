-- One customer's next best products and categories: the rules from an item they bought to one
-- they did not; per suggested item its most confident rule (the reason); the top 3 per kind.
WITH owned AS (
    SELECT DISTINCT 'product'::text AS kind, t.product_id AS item
    FROM customers_transaction t
    WHERE t.tenant_id = %(tenant)s AND t.customer_id = %(customer)s AND t.kind = 'purchase'
      AND t.status = 'completed' AND t.product_id IS NOT NULL
    UNION
    SELECT DISTINCT 'category', coalesce(t.category_id, p.category_id)
    FROM customers_transaction t
    LEFT JOIN customers_product p ON p.id = t.product_id
    WHERE t.tenant_id = %(tenant)s AND t.customer_id = %(customer)s AND t.kind = 'purchase'
      AND t.status = 'completed' AND coalesce(t.category_id, p.category_id) IS NOT NULL
), candidates AS (
    SELECT DISTINCT ON (r.kind, r.consequent) r.id, r.kind, r.consequent, r.confidence, r.lift
    FROM (
        SELECT rule.*,
               coalesce(rule.antecedent_product_id, rule.antecedent_category_id) AS antecedent,
               coalesce(rule.consequent_product_id, rule.consequent_category_id) AS consequent
        FROM prediction_copurchaserule rule
        WHERE rule.tenant_id = %(tenant)s
    ) r
    JOIN owned o ON o.kind = r.kind AND o.item = r.antecedent
    WHERE NOT EXISTS (SELECT 1 FROM owned x WHERE x.kind = r.kind AND x.item = r.consequent)
    ORDER BY r.kind, r.consequent, r.confidence DESC, r.lift DESC, r.antecedent
)
SELECT id
FROM (
    SELECT id, row_number() OVER (
        PARTITION BY kind ORDER BY confidence DESC, lift DESC, consequent
    ) AS position
    FROM candidates
) ranked
WHERE position <= 3;
