-- Step 3: rank, percentile and tier over the narrow scores; the pin wins over the computed
-- tier; the stored score row (if any) gives the previous tier and tells whether anything
-- changed. The only step that carries the wide rows (the arrays).
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
), assembled AS (
    SELECT r.customer_id, r.status, r.revenue, r.margin, t.score, t.rank, t.percentile,
           t.computed_tier_id,
           {raw_array} AS raw_values,
           coalesce(s.normalised_values, '{{}}') AS normalised_values,
           coalesce(s.contributions, '{{}}') AS contributions
    FROM seg_raw r
    LEFT JOIN tiered t ON t.customer_id = r.customer_id
    LEFT JOIN seg_scored s ON s.customer_id = r.customer_id
)
SELECT a.*,
       coalesce(p.tier_id, a.computed_tier_id) AS tier_id,
       p.tier_id IS NOT NULL AS is_pinned,
       old.customer_id AS old_id,
       old.tier_id AS old_tier_id,
       old.customer_id IS NOT NULL AND (
           old.status, old.score, old.rank, old.percentile, old.computed_tier_id, old.tier_id,
           old.is_pinned, old.raw_values, old.normalised_values, old.contributions
       ) IS DISTINCT FROM (
           a.status, a.score, a.rank, a.percentile, a.computed_tier_id,
           coalesce(p.tier_id, a.computed_tier_id), p.tier_id IS NOT NULL,
           a.raw_values, a.normalised_values, a.contributions
       ) AS changed
FROM assembled a
LEFT JOIN segmentation_tierpin p
       ON p.customer_id = a.customer_id AND p.tenant_id = %(tenant)s AND p.is_active
      AND (p.until IS NULL OR p.until >= %(today)s)
LEFT JOIN segmentation_customerscore old
       ON old.customer_id = a.customer_id AND old.tenant_id = %(tenant)s
