-- Dashboard step 2: one pass over seg_final computes each customer's facts (growth, growth band,
-- class, the categories bought: {{category_ids}}, from a bit mask summed by step 1's scan, each
-- distinct mask decoded once in {{bought}}, or for a tenant whose categories do not fit the
-- mask from a scan of the window's purchases there, services/dashboard_summaries.py), held in
-- memory (n), never written as a table. From it, in the same statement:
-- - the stored facts whose values changed are rewritten (run_id: the run that last changed them;
--   the score is not among them, it changes for nearly everyone every day), and customers scored
--   for the first time get theirs (every scored customer has a facts row, migration 0006: the
--   stored score's absence, old_status, says who is new);
-- - the class summaries and the vertical segmentation's cells (tier and status × each
--   dimension's value) in one aggregation (grouping sets). A customer counts in each category
--   bought, so the category lists are grouped first and unnested after. Money and scores are
--   summed as integers (cents, 1/10,000 points: int8 sums, ~5× cheaper than numeric) and turned
--   back at the end; exact either way;
-- - the customers whose segment criteria row must change (seg_touched, step 3): facts rewritten
--   or new, or a score band (floor(score)) other than the stored one (seg_final's
--   old_score_band). The criteria rows equal their sources between runs (their triggers), so
--   nobody else's row can differ: no join of every customer with the criteria rows.
WITH {bought}contacted AS (
    SELECT DISTINCT i.customer_id
    FROM customers_interaction i
    WHERE i.tenant_id = %(tenant)s AND i.occurred_at >= %(contact_since)s
      AND i.occurred_at < %(now)s
), peak_tiers AS (
    SELECT tr.id FROM segmentation_tier tr
    WHERE tr.tenant_id = %(tenant)s AND tr.position <= %(peak_tiers)s
), peak_mix AS (
    -- The region / industry / channel combinations of the most important customers.
    SELECT DISTINCT f.region, f.industry, f.acquisition_channel
    FROM seg_final f
    WHERE f.tier_id IN (SELECT id FROM peak_tiers)
      AND (f.region <> '' OR f.industry <> '' OR f.acquisition_channel <> '')
), n AS MATERIALIZED (
    SELECT g.customer_id, g.status, g.old_status, g.tier_id, g.revenue, g.margin,
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
           floor(g.score)::smallint AS score_band, g.old_score_band,
           (g.score * 10000)::bigint AS score_points,
           g.region, g.city, g.industry, g.acquisition_channel, g.lifecycle_stage, g.kind
    FROM (
        SELECT f.customer_id, f.status, f.old_status, f.tier_id, f.score, f.old_score_band,
               f.revenue, f.margin, f.growth_revenue, f.previous_revenue, f.last_purchase_at,
               f.region, f.city, f.industry, f.acquisition_channel, f.lifecycle_stage, f.kind,
               CASE WHEN f.previous_revenue > 0
                    THEN round(100 * (f.growth_revenue - f.previous_revenue)
                               / f.previous_revenue, 2)
               END AS growth_percent,
               {category_ids} AS category_ids,
               coalesce(f.tier_id IN (SELECT id FROM peak_tiers), false) AS is_peak,
               ct.customer_id IS NOT NULL AS contacted
        FROM seg_final f
        {bought_join}
        LEFT JOIN contacted ct ON ct.customer_id = f.customer_id
        -- A fence: without it the subquery is flattened and growth_percent's division is
        -- evaluated again at each of its six uses above (~1 s at 1M).
        OFFSET 0
    ) g
), changed AS (
    UPDATE segmentation_customerfacts cf
    SET run_id = %(run)s, status = n.status, tier_id = n.tier_id,
        revenue = n.revenue, margin = n.margin, growth_revenue = n.growth_revenue,
        previous_revenue = n.previous_revenue, growth_percent = n.growth_percent,
        growth_band = n.growth_band, customer_class = n.customer_class,
        last_purchase_at = n.last_purchase_at, category_ids = n.category_ids
    FROM n
    WHERE cf.customer_id = n.customer_id AND cf.tenant_id = %(tenant)s
      AND (cf.status, cf.tier_id, cf.revenue, cf.margin, cf.growth_revenue,
           cf.previous_revenue, cf.growth_percent, cf.growth_band, cf.customer_class,
           cf.last_purchase_at, cf.category_ids)
          IS DISTINCT FROM
          (n.status, n.tier_id, n.revenue, n.margin, n.growth_revenue,
           n.previous_revenue, n.growth_percent, n.growth_band, n.customer_class,
           n.last_purchase_at, n.category_ids)
    RETURNING cf.customer_id
), added AS (
    INSERT INTO segmentation_customerfacts
           (tenant_id, customer_id, run_id, status, tier_id, revenue, margin, growth_revenue,
            previous_revenue, growth_percent, growth_band, customer_class, last_purchase_at,
            category_ids)
    SELECT %(tenant)s, n.customer_id, %(run)s, n.status, n.tier_id, n.revenue, n.margin,
           n.growth_revenue, n.previous_revenue, n.growth_percent, n.growth_band,
           n.customer_class, n.last_purchase_at, n.category_ids
    FROM n
    WHERE n.old_status IS NULL
), sets AS MATERIALIZED (
    -- Three hash tables over the million rows instead of one per dimension: the dimensions
    -- with few values (stage, kind, channel, growth band, class) share one grouping, and so do
    -- region, city and industry (a few thousand combinations); each dimension's cells are then
    -- summed from these few thousand rows. g: grouping() of (region, category_ids,
    -- lifecycle_stage), 1 = not grouped.
    SELECT grouping(f.region, f.category_ids, f.lifecycle_stage) AS g,
           f.region, f.city, f.industry, f.category_ids, f.lifecycle_stage, f.kind,
           f.acquisition_channel, f.growth_band, f.customer_class, f.tier_id, f.status,
           count(*) AS customers, sum(f.revenue_cents) AS revenue_cents,
           sum(f.margin_cents) AS margin_cents, sum(f.score_points) AS score_points,
           count(f.score_points) AS scored
    FROM (
        SELECT region, city, industry, acquisition_channel, lifecycle_stage, kind, growth_band,
               category_ids, customer_class, tier_id, status,
               (revenue * 100)::bigint AS revenue_cents, (margin * 100)::bigint AS margin_cents,
               score_points
        FROM n
    ) f
    GROUP BY GROUPING SETS (
        (f.tier_id, f.status, f.region, f.city, f.industry),
        (f.tier_id, f.status, f.category_ids),
        (f.tier_id, f.status, f.lifecycle_stage, f.kind, f.acquisition_channel, f.growth_band,
         f.customer_class)
    )
), classes AS (
    INSERT INTO segmentation_runclasssummary
           (tenant_id, run_id, customer_class, customers, revenue, margin)
    SELECT %(tenant)s, %(run)s, s.customer_class, sum(s.customers),
           sum(s.revenue_cents) / 100.0, sum(s.margin_cents) / 100.0
    FROM sets s
    WHERE s.g = 6
    GROUP BY s.customer_class
), dimensions AS (
    INSERT INTO segmentation_rundimensionsummary
           (tenant_id, run_id, dimension, value, tier_id, status, customers, revenue, margin,
            score_sum, scored)
    SELECT %(tenant)s, %(run)s, d.dimension, d.value, s.tier_id, s.status, sum(s.customers),
           sum(s.revenue_cents) / 100.0, sum(s.margin_cents) / 100.0,
           sum(s.score_points) / 10000.0, sum(s.scored)
    FROM sets s
    CROSS JOIN LATERAL (
        SELECT 'region', s.region WHERE s.g = 3
        UNION ALL SELECT 'city', s.city WHERE s.g = 3
        UNION ALL SELECT 'industry', s.industry WHERE s.g = 3
        UNION ALL SELECT 'category', category_id::text
                  FROM unnest(s.category_ids) AS category_id WHERE s.g = 5
        UNION ALL SELECT 'lifecycle_stage', s.lifecycle_stage WHERE s.g = 6
        UNION ALL SELECT 'kind', s.kind WHERE s.g = 6
        UNION ALL SELECT 'acquisition_channel', s.acquisition_channel WHERE s.g = 6
        UNION ALL SELECT 'growth_band', s.growth_band WHERE s.g = 6
    ) AS d(dimension, value)
    GROUP BY d.dimension, d.value, s.tier_id, s.status
)
INSERT INTO seg_touched
       (customer_id, status, tier_id, customer_class, growth_band, revenue, last_purchase_at,
        category_ids, score_band)
SELECT n.customer_id, {status}, n.tier_id, {customer_class}, {growth_band},
       n.revenue::numeric(16, 2), n.last_purchase_at, nullif(n.category_ids, '{{}}'),
       n.score_band
FROM n
WHERE n.old_status IS NULL
   OR n.score_band IS DISTINCT FROM n.old_score_band
   OR n.customer_id IN (SELECT customer_id FROM changed)
