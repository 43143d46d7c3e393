-- Dashboard step 1b: the ten biggest movers up (to a higher tier, or into the pyramid) and down
-- (to a lower tier, or out of it) of this run, by revenue in the window. One pass over seg_final
-- picks the customers whose tier changed (a few percent of them); both lists come from those.
WITH moved AS MATERIALIZED (
    SELECT n.customer_id, n.revenue,
           sign(coalesce(a.position, 10000) - coalesce(b.position, 10000)) AS direction
    FROM seg_final n
    LEFT JOIN segmentation_tier a ON a.id = n.old_tier_id
    LEFT JOIN segmentation_tier b ON b.id = n.tier_id
    WHERE n.tier_id IS DISTINCT FROM n.old_tier_id
)
UPDATE segmentation_runfigures
SET movers = jsonb_build_object(
    'up', coalesce((
        SELECT jsonb_agg(m.customer_id ORDER BY m.revenue DESC, m.customer_id)
        FROM (
            SELECT customer_id, revenue FROM moved WHERE direction > 0
            ORDER BY revenue DESC, customer_id
            LIMIT 10
        ) m), '[]'::jsonb),
    'down', coalesce((
        SELECT jsonb_agg(m.customer_id ORDER BY m.revenue DESC, m.customer_id)
        FROM (
            SELECT customer_id, revenue FROM moved WHERE direction < 0
            ORDER BY revenue DESC, customer_id
            LIMIT 10
        ) m), '[]'::jsonb)
)
WHERE run_id = %(run)s AND tenant_id = %(tenant)s
