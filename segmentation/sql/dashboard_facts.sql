-- Dashboard step 1: one row per customer of this run (seg_final) with what the dashboard and
-- segments filter on: revenue growth (the growth window against the one before it) and the last
-- purchase (both summed in step 1's scan, seg_raw), the categories bought in the activity
-- window (one more scan, of the window only), and the customer's class.
CREATE TEMP TABLE seg_facts ON COMMIT DROP AS
WITH bought AS (
    -- The categories bought in the activity window: distinct pairs first (hashed), then a list
    -- (sorted, so an unchanged list compares equal in step 5).
    SELECT pairs.customer_id, array_agg(pairs.category_id ORDER BY pairs.category_id) AS category_ids
    FROM (
        SELECT DISTINCT t.customer_id, coalesce(t.category_id, p.category_id) AS category_id
        FROM customers_transaction t
        LEFT JOIN customers_product p ON p.id = t.product_id
        WHERE t.tenant_id = %(tenant)s AND t.kind = 'purchase' AND t.status = 'completed'
          AND t.occurred_at >= %(activity_since)s AND t.occurred_at < %(now)s
          AND coalesce(t.category_id, p.category_id) IS NOT NULL
    ) pairs
    GROUP BY pairs.customer_id
), contacted AS (
    SELECT DISTINCT i.customer_id
    FROM customers_interaction i
    WHERE i.tenant_id = %(tenant)s AND i.occurred_at >= %(contact_since)s
      AND i.occurred_at < %(now)s
), base AS (
    SELECT f.customer_id, f.status, f.tier_id, f.score, f.revenue, f.margin,
           r.growth_revenue, r.previous_revenue, r.last_purchase_at,
           coalesce(bought.category_ids, '{}') AS category_ids,
           coalesce(tr.position <= %(peak_tiers)s, false) AS is_peak,
           c.region, c.industry, c.acquisition_channel,
           ct.customer_id IS NOT NULL AS contacted
    FROM seg_final f
    JOIN customers_customer c ON c.id = f.customer_id
    JOIN seg_raw r ON r.customer_id = f.customer_id
    LEFT JOIN bought ON bought.customer_id = f.customer_id
    LEFT JOIN segmentation_tier tr ON tr.id = f.tier_id
    LEFT JOIN contacted ct ON ct.customer_id = f.customer_id
), grown AS (
    SELECT b.*,
           CASE WHEN b.previous_revenue > 0
                THEN round(100 * (b.growth_revenue - b.previous_revenue) / b.previous_revenue, 2)
           END AS growth_percent
    FROM base b
), peak_mix AS (
    -- The region / industry / channel combinations of the most important customers.
    SELECT DISTINCT region, industry, acquisition_channel
    FROM base
    WHERE is_peak AND (region <> '' OR industry <> '' OR acquisition_channel <> '')
)
SELECT g.customer_id, g.status, g.tier_id, g.score, g.revenue, g.margin, g.growth_revenue,
       g.previous_revenue, g.growth_percent,
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
       g.last_purchase_at, g.category_ids
FROM grown g
