-- New score rows, with the customer's name key (CustomerScore.name_sort_key: the tier's name
-- order); a subquery on the customers' primary key, not a join, so that a nightly run with a
-- few new customers does not hash every customer of the tenant.
INSERT INTO segmentation_customerscore
       (tenant_id, customer_id, run_id, status, score, rank, percentile, computed_tier_id,
        tier_id, is_pinned, raw_values, normalised_values, contributions, name_sort_key)
SELECT %(tenant)s, f.customer_id, %(run)s, f.status, f.score, f.rank, f.percentile,
       f.computed_tier_id, f.tier_id, f.is_pinned, {raw_array},
       coalesce(s.normalised_values, '{{}}'), coalesce(s.contributions, '{{}}'),
       (SELECT c.name_sort_key FROM customers_customer c
        WHERE c.id = f.customer_id AND c.tenant_id = %(tenant)s)
FROM seg_final f
JOIN seg_raw r ON r.customer_id = f.customer_id
LEFT JOIN seg_scored s ON s.customer_id = f.customer_id
WHERE NOT f.existed
