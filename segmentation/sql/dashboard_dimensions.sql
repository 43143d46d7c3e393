-- Dashboard step 3: the class summaries and the vertical segmentation's cells (tier and status
-- × each dimension's value) in one pass over the facts (grouping sets). A customer counts in
-- each category bought, so the category lists are grouped first and unnested after. Money and
-- scores are summed as integers (cents, 1/10,000 points: int8 sums, ~5× cheaper than numeric
-- over 9 sets × 1,000,000 rows) and turned back at the end; exact either way.
WITH cells AS (
    SELECT CASE WHEN grouping(f.region) = 0 THEN 'region'
                WHEN grouping(f.city) = 0 THEN 'city'
                WHEN grouping(f.industry) = 0 THEN 'industry'
                WHEN grouping(f.acquisition_channel) = 0 THEN 'acquisition_channel'
                WHEN grouping(f.lifecycle_stage) = 0 THEN 'lifecycle_stage'
                WHEN grouping(f.kind) = 0 THEN 'kind'
                WHEN grouping(f.growth_band) = 0 THEN 'growth_band'
                WHEN grouping(f.category_ids) = 0 THEN 'category'
                ELSE 'class' END AS dimension,
           CASE WHEN grouping(f.region) = 0 THEN f.region
                WHEN grouping(f.city) = 0 THEN f.city
                WHEN grouping(f.industry) = 0 THEN f.industry
                WHEN grouping(f.acquisition_channel) = 0 THEN f.acquisition_channel
                WHEN grouping(f.lifecycle_stage) = 0 THEN f.lifecycle_stage
                WHEN grouping(f.kind) = 0 THEN f.kind
                WHEN grouping(f.growth_band) = 0 THEN f.growth_band
                ELSE f.customer_class END AS value,
           f.category_ids, f.tier_id, f.status, count(*) AS customers,
           sum(f.revenue_cents) / 100.0 AS revenue, sum(f.margin_cents) / 100.0 AS margin,
           sum(f.score_points) / 10000.0 AS score_sum, count(f.score_points) AS scored
    FROM (
        SELECT region, city, industry, acquisition_channel, lifecycle_stage, kind, growth_band,
               category_ids, customer_class, tier_id, status,
               (revenue * 100)::bigint AS revenue_cents, (margin * 100)::bigint AS margin_cents,
               (score * 10000)::bigint AS score_points
        FROM seg_facts
    ) f
    GROUP BY GROUPING SETS (
        (f.tier_id, f.status, f.region),
        (f.tier_id, f.status, f.city),
        (f.tier_id, f.status, f.industry),
        (f.tier_id, f.status, f.acquisition_channel),
        (f.tier_id, f.status, f.lifecycle_stage),
        (f.tier_id, f.status, f.kind),
        (f.tier_id, f.status, f.growth_band),
        (f.tier_id, f.status, f.category_ids),
        (f.customer_class)
    )
), classes AS (
    INSERT INTO segmentation_runclasssummary
           (tenant_id, run_id, customer_class, customers, revenue, margin)
    SELECT %(tenant)s, %(run)s, value, customers, revenue, margin
    FROM cells
    WHERE dimension = 'class'
)
INSERT INTO segmentation_rundimensionsummary
       (tenant_id, run_id, dimension, value, tier_id, status, customers, revenue, margin,
        score_sum, scored)
SELECT %(tenant)s, %(run)s, dimension, value, tier_id, status, customers, revenue, margin,
       score_sum, scored
FROM cells
WHERE dimension NOT IN ('class', 'category')
UNION ALL
SELECT %(tenant)s, %(run)s, 'category', category_id::text, tier_id, status, sum(customers),
       sum(revenue), sum(margin), sum(score_sum), sum(scored)
FROM cells
CROSS JOIN LATERAL unnest(category_ids) AS category_id
WHERE dimension = 'category'
GROUP BY category_id, tier_id, status
