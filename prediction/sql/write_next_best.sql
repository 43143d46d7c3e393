-- The tenant's next best items from the staging table pred_next_best (services/suggestions.py):
-- three places per kind, best first, 0 where there is no suggestion; a customer with none of
-- either kind gets no row.
INSERT INTO prediction_customernextbest (
    tenant_id, customer_id, products, product_rules, categories, category_rules
)
SELECT %(tenant)s, customer,
       array_remove(ARRAY[product0, product1, product2], 0),
       array_remove(ARRAY[product_rule0, product_rule1, product_rule2], 0),
       array_remove(ARRAY[category0, category1, category2], 0),
       array_remove(ARRAY[category_rule0, category_rule1, category_rule2], 0)
FROM pred_next_best
WHERE product0 <> 0 OR category0 <> 0
ORDER BY customer;
