-- Step 3: rank, percentile and tier over the narrow scores; the pin wins over the computed
-- tier; the stored score row (if any) gives the previous tier and status. Narrow on purpose:
-- the arrays are assembled only when rows are written. The dashboard step's columns of seg_raw
-- come along (read here anyway), so that its facts need no second join, and so does the stored
-- score band (the criteria rows' copy of it: a run rewrites only those whose band moved).
CREATE TEMP TABLE seg_final ON COMMIT DROP AS
WITH ranked AS (
    SELECT customer_id, score,
           rank() OVER by_score AS rank,
           count(*) OVER by_score AS at_or_above,
           count(*) OVER () AS n_active
    FROM seg_scored
    WINDOW by_score AS (ORDER BY score DESC)
), tiered AS (
    SELECT customer_id, score, rank,
           round(100.0 * (n_active - rank + 1) / n_active, 4) AS percentile,
           {tier_case} AS computed_tier_id
    FROM ranked
)
SELECT r.customer_id, r.status, r.revenue, r.margin, t.score, t.rank, t.percentile,
       t.computed_tier_id,
       coalesce(p.tier_id, t.computed_tier_id) AS tier_id,
       p.tier_id IS NOT NULL AS is_pinned,
       old.customer_id IS NOT NULL AS existed,
       old.tier_id AS old_tier_id,
       old.status AS old_status,
       old.score_band AS old_score_band,
       r.growth_revenue, r.previous_revenue, r.last_purchase_at, r.category_mask,
       r.region, r.city, r.industry, r.acquisition_channel, r.lifecycle_stage, r.kind
FROM seg_raw r
LEFT JOIN tiered t ON t.customer_id = r.customer_id
LEFT JOIN segmentation_tierpin p
       ON p.customer_id = r.customer_id AND p.tenant_id = %(tenant)s AND p.is_active
      AND (p.until IS NULL OR p.until >= %(today)s)
LEFT JOIN segmentation_customerscore old
       ON old.customer_id = r.customer_id AND old.tenant_id = %(tenant)s
