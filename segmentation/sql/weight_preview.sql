-- The value keys page's preview: the tier sizes other weights would give, in one read-only
-- statement over the stored normalised values of the last succeeded run (no writes). The score
-- and the tier follow steps 3 and 4 of the recompute (segmentation/sql/__init__.py); only the
-- weights differ. Rows: (tier the last run computed, tier the new weights give, customers).
WITH scored AS (
    SELECT computed_tier_id AS current_tier_id,
           round(({score})::numeric, 4) AS score
    FROM segmentation_customerscore
    WHERE tenant_id = %(tenant)s AND status = 'active'
), ranked AS (
    SELECT current_tier_id, score,
           count(*) OVER (ORDER BY score DESC) AS at_or_above,
           count(*) OVER () AS n_active
    FROM scored
)
SELECT current_tier_id, {tier_case} AS preview_tier_id, count(*) AS customers
FROM ranked
GROUP BY 1, 2
