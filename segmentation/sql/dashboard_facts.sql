-- Dashboard step 1: one row per customer of this run with what the dashboard and segments
-- filter on, from seg_final alone (one pass, nothing materialized): revenue growth, the last
-- purchase, the categories bought in the activity window (a bit mask summed by step 1's scan,
-- decoded here: {{category_ids}}), the vertical dimensions, the tier and the previous status;
-- then the customer's class. {{bought}} is a scan of the window's purchases, only for a tenant
-- whose categories do not fit the mask (services/dashboard_summaries.py).
CREATE TEMP TABLE seg_facts ON COMMIT DROP AS
WITH {bought}contacted AS (
    SELECT DISTINCT i.customer_id
    FROM customers_interaction i
    WHERE i.tenant_id = %(tenant)s AND i.occurred_at >= %(contact_since)s
      AND i.occurred_at < %(now)s
), peak_mix AS (
    -- The region / industry / channel combinations of the most important customers.
    SELECT DISTINCT f.region, f.industry, f.acquisition_channel
    FROM seg_final f
    JOIN segmentation_tier tr ON tr.id = f.tier_id
    WHERE tr.position <= %(peak_tiers)s
      AND (f.region <> '' OR f.industry <> '' OR f.acquisition_channel <> '')
)
SELECT g.customer_id, g.status, g.old_status, g.tier_id, g.score, g.revenue, g.margin,
       g.growth_revenue, g.previous_revenue, g.growth_percent,
       CASE WHEN g.previous_revenue <= 0 AND g.growth_revenue <= 0 THEN 'none'
            WHEN g.previous_revenue <= 0 THEN 'new'
            WHEN g.growth_percent < -50 THEN 'falling_fast'
            WHEN g.growth_percent < -10 THEN 'falling'
            WHEN g.growth_percent < 10 THEN 'steady'
            WHEN g.growth_percent < 50 THEN 'growing'
            ELSE 'growing_fast' END AS growth_band,
       CASE WHEN g.is_peak THEN 'most_important'
            WHEN g.status = 'active' AND g.growth_percent >= %(growth_percent)s
                 THEN 'fastest_growing'
            WHEN g.status = 'active' THEN 'current'
            WHEN g.contacted THEN 'potential'
            WHEN EXISTS (
                SELECT 1 FROM peak_mix m
                WHERE m.region = g.region AND m.industry = g.industry
                  AND m.acquisition_channel = g.acquisition_channel
            ) THEN 'potential'
            ELSE 'other' END AS customer_class,
       g.last_purchase_at, g.category_ids,
       g.region, g.city, g.industry, g.acquisition_channel, g.lifecycle_stage, g.kind
FROM (
    SELECT f.customer_id, f.status, f.old_status, f.tier_id, f.score, f.revenue, f.margin,
           f.growth_revenue, f.previous_revenue, f.last_purchase_at,
           f.region, f.city, f.industry, f.acquisition_channel, f.lifecycle_stage, f.kind,
           CASE WHEN f.previous_revenue > 0
                THEN round(100 * (f.growth_revenue - f.previous_revenue) / f.previous_revenue, 2)
           END AS growth_percent,
           {category_ids} AS category_ids,
           coalesce(tr.position <= %(peak_tiers)s, false) AS is_peak,
           ct.customer_id IS NOT NULL AS contacted
    FROM seg_final f
    {bought_join}
    LEFT JOIN segmentation_tier tr ON tr.id = f.tier_id
    LEFT JOIN contacted ct ON ct.customer_id = f.customer_id
) g
