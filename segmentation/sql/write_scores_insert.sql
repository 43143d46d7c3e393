INSERT INTO segmentation_customerscore
       (tenant_id, customer_id, run_id, status, score, rank, percentile, computed_tier_id,
        tier_id, is_pinned, raw_values, normalised_values, contributions)
SELECT %(tenant)s, f.customer_id, %(run)s, f.status, f.score, f.rank, f.percentile,
       f.computed_tier_id, f.tier_id, f.is_pinned, {raw_array},
       coalesce(s.normalised_values, '{{}}'), coalesce(s.contributions, '{{}}')
FROM seg_final f
JOIN seg_raw r ON r.customer_id = f.customer_id
LEFT JOIN seg_scored s ON s.customer_id = f.customer_id
WHERE NOT f.existed
