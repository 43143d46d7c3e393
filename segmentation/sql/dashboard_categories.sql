INSERT INTO segmentation_rundimensionsummary
       (tenant_id, run_id, dimension, value, tier_id, status, customers, revenue, margin,
        score_sum, scored)
SELECT %(tenant)s, %(run)s, 'category', category_id::text, f.tier_id, f.status, count(*),
       sum(f.revenue), sum(f.margin), sum(f.score), count(f.score)
FROM seg_facts f
CROSS JOIN LATERAL unnest(f.category_ids) AS category_id
GROUP BY category_id, f.tier_id, f.status
