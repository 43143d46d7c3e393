-- Item-to-item co-purchase rules "bought X → buys Y" over customers (not baskets: a customer who
-- bought X in March and Y in June counts), products with products, categories with categories:
--   support    = customers who bought both ÷ customers who bought anything
--   confidence = customers who bought both ÷ customers who bought X
--   lift       = confidence ÷ (customers who bought Y ÷ customers who bought anything)
-- Only rules seen in at least %(min_customers)s customers with lift > 1 are kept, and of those
-- the %(rules_per_item)s most confident per X (the rest never reach a customer's top 3 in
-- practice, and they would multiply the candidates).
CREATE TEMP TABLE pred_rules ON COMMIT DROP AS
WITH item_counts AS (
    SELECT kind, item, count(*) AS customers FROM pred_items GROUP BY kind, item
), base AS (
    SELECT count(DISTINCT customer_id)::float8 AS customers FROM pred_items
), pairs AS (
    SELECT x.kind, x.item AS antecedent, y.item AS consequent, count(*) AS together
    FROM pred_items x
    JOIN pred_items y ON y.customer_id = x.customer_id AND y.kind = x.kind AND y.item <> x.item
    GROUP BY x.kind, x.item, y.item
    HAVING count(*) >= %(min_customers)s
), rules AS (
    SELECT p.kind, p.antecedent, p.consequent,
           p.together / base.customers AS support,
           p.together::float8 / cx.customers AS confidence,
           (p.together::float8 / cx.customers) / (cy.customers / base.customers) AS lift
    FROM pairs p
    CROSS JOIN base
    JOIN item_counts cx ON cx.kind = p.kind AND cx.item = p.antecedent
    JOIN item_counts cy ON cy.kind = p.kind AND cy.item = p.consequent
    LEFT JOIN customers_product product ON p.kind = 'product' AND product.id = p.consequent
    WHERE p.kind = 'category' OR product.is_active
)
SELECT kind, antecedent, consequent, support, confidence, lift
FROM (
    SELECT rules.*, row_number() OVER (
        PARTITION BY kind, antecedent ORDER BY confidence DESC, lift DESC, consequent
    ) AS position
    FROM rules
    WHERE lift > 1
) ranked
WHERE position <= %(rules_per_item)s;
