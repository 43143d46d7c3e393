-- Dashboard step 4: the vertical segmentation's cells, tier (and status) × dimension value, in
-- one pass (grouping sets), then the categories bought (a customer counts in each of theirs).
INSERT INTO segmentation_rundimensionsummary
       (tenant_id, run_id, dimension, value, tier_id, status, customers, revenue, margin,
        score_sum, scored)
SELECT %(tenant)s, %(run)s,
       CASE WHEN grouping(c.region) = 0 THEN 'region'
            WHEN grouping(c.city) = 0 THEN 'city'
            WHEN grouping(c.industry) = 0 THEN 'industry'
            WHEN grouping(c.acquisition_channel) = 0 THEN 'acquisition_channel'
            WHEN grouping(c.lifecycle_stage) = 0 THEN 'lifecycle_stage'
            WHEN grouping(c.kind) = 0 THEN 'kind'
            ELSE 'growth_band' END,
       CASE WHEN grouping(c.region) = 0 THEN c.region
            WHEN grouping(c.city) = 0 THEN c.city
            WHEN grouping(c.industry) = 0 THEN c.industry
            WHEN grouping(c.acquisition_channel) = 0 THEN c.acquisition_channel
            WHEN grouping(c.lifecycle_stage) = 0 THEN c.lifecycle_stage
            WHEN grouping(c.kind) = 0 THEN c.kind
            ELSE f.growth_band END,
       f.tier_id, f.status, count(*), sum(f.revenue), sum(f.margin), sum(f.score),
       count(f.score)
FROM seg_facts f
JOIN customers_customer c ON c.id = f.customer_id
GROUP BY GROUPING SETS (
    (f.tier_id, f.status, c.region),
    (f.tier_id, f.status, c.city),
    (f.tier_id, f.status, c.industry),
    (f.tier_id, f.status, c.acquisition_channel),
    (f.tier_id, f.status, c.lifecycle_stage),
    (f.tier_id, f.status, c.kind),
    (f.tier_id, f.status, f.growth_band)
)
