-- Dashboard step 2b: the ten biggest movers up (to a higher tier, or into the pyramid) and down
-- (to a lower tier, or out of it) of this run, by revenue in the window.
UPDATE segmentation_runfigures
SET movers = jsonb_build_object(
    'up', coalesce((
        SELECT jsonb_agg(m.customer_id ORDER BY m.revenue DESC, m.customer_id)
        FROM (
            SELECT n.customer_id, n.revenue
            FROM seg_final n
            LEFT JOIN segmentation_tier a ON a.id = n.old_tier_id
            LEFT JOIN segmentation_tier b ON b.id = n.tier_id
            WHERE n.tier_id IS DISTINCT FROM n.old_tier_id
              AND coalesce(b.position, 10000) < coalesce(a.position, 10000)
            ORDER BY n.revenue DESC, n.customer_id
            LIMIT 10
        ) m), '[]'::jsonb),
    'down', coalesce((
        SELECT jsonb_agg(m.customer_id ORDER BY m.revenue DESC, m.customer_id)
        FROM (
            SELECT n.customer_id, n.revenue
            FROM seg_final n
            LEFT JOIN segmentation_tier a ON a.id = n.old_tier_id
            LEFT JOIN segmentation_tier b ON b.id = n.tier_id
            WHERE n.tier_id IS DISTINCT FROM n.old_tier_id
              AND coalesce(b.position, 10000) > coalesce(a.position, 10000)
            ORDER BY n.revenue DESC, n.customer_id
            LIMIT 10
        ) m), '[]'::jsonb)
)
WHERE run_id = %(run)s AND tenant_id = %(tenant)s
