-- Dashboard step 1: the run's key figures, compared with the stored scores of the previous run
-- (seg_final's old_status) and its figures (the active customers it counted).
INSERT INTO segmentation_runfigures
       (tenant_id, run_id, customers, active, revenue, margin, new_customers, retained,
        previous_active, average_score, movers)
SELECT %(tenant)s, %(run)s, count(*),
       count(*) FILTER (WHERE n.status = 'active'),
       coalesce(sum(n.revenue), 0), coalesce(sum(n.margin), 0),
       count(*) FILTER (WHERE n.status <> 'prospect'
                          AND (n.old_status IS NULL OR n.old_status = 'prospect')),
       count(*) FILTER (WHERE n.status = 'active' AND n.old_status = 'active'),
       coalesce((
           SELECT p.active
           FROM segmentation_runfigures p
           JOIN segmentation_scorerun r ON r.id = p.run_id
           WHERE p.tenant_id = %(tenant)s AND r.status = 'succeeded' AND r.id <> %(run)s
           ORDER BY r.finished_at DESC NULLS LAST, r.id DESC
           LIMIT 1
       ), 0),
       round(avg(n.score), 4), '{}'::jsonb
FROM seg_final n
