-- Each customer's top 3 products and top 3 categories not bought yet: every rule from an item
-- they bought to one they did not; per suggested item the most confident rule is its reason;
-- ranked by confidence, then lift.
INSERT INTO prediction_productsuggestion (
    tenant_id, customer_id, rank, kind, product_id, category_id,
    because_product_id, because_category_id, support, confidence, lift
)
SELECT %(tenant)s, customer_id, position, kind,
       CASE WHEN kind = 'product' THEN consequent END,
       CASE WHEN kind = 'category' THEN consequent END,
       CASE WHEN kind = 'product' THEN antecedent END,
       CASE WHEN kind = 'category' THEN antecedent END,
       support, confidence, lift
FROM (
    SELECT best.*, row_number() OVER (
        PARTITION BY customer_id, kind ORDER BY confidence DESC, lift DESC, consequent
    ) AS position
    FROM (
        SELECT DISTINCT ON (owned.customer_id, r.kind, r.consequent)
               owned.customer_id, r.kind, r.consequent, r.antecedent,
               r.support, r.confidence, r.lift
        FROM pred_items owned
        JOIN pred_rules r ON r.kind = owned.kind AND r.antecedent = owned.item
        WHERE NOT EXISTS (
            SELECT 1 FROM pred_items had
            WHERE had.customer_id = owned.customer_id AND had.kind = r.kind
              AND had.item = r.consequent
        )
        ORDER BY owned.customer_id, r.kind, r.consequent, r.confidence DESC, r.lift DESC,
                 r.antecedent
    ) best
) ranked
WHERE position <= 3;
