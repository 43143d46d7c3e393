-- Dashboard step 2: the run's key figures, compared with the facts of the previous run (still
-- in segmentation_customerfacts until step 5 replaces them).
INSERT INTO segmentation_runfigures
       (tenant_id, run_id, customers, active, revenue, margin, new_customers, retained,
        previous_active, average_score, movers)
SELECT %(tenant)s, %(run)s, count(*),
       count(*) FILTER (WHERE n.status = 'active'),
       coalesce(sum(n.revenue), 0), coalesce(sum(n.margin), 0),
       count(*) FILTER (WHERE n.status <> 'prospect'
                          AND (o.customer_id IS NULL OR o.status = 'prospect')),
       count(*) FILTER (WHERE n.status = 'active' AND o.status = 'active'),
       (SELECT count(*) FROM segmentation_customerfacts p
        WHERE p.tenant_id = %(tenant)s AND p.status = 'active'),
       round(avg(n.score), 4), '{}'::jsonb
FROM seg_facts n
LEFT JOIN segmentation_customerfacts o
       ON o.customer_id = n.customer_id AND o.tenant_id = %(tenant)s
