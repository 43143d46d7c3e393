-- Dashboard step 4: the segment criteria rows (CriteriaRow, migrations 0013 and 0014) take this
-- run's facts and score bands, only where they changed. The facts' and scores' own triggers
-- stand aside while the recompute runs (segmentation.recompute): one join here instead of
-- capturing the million score rows the run updates. seg_facts holds every customer not archived
-- (their scores and facts are exactly these values now); archived ones are cleared with their
-- scores (write_scores_delete.sql). The band is the score row's generated column: floor(score).
-- The choice columns are codes ({{status}}, ...: sql.criteria_code_sql).
UPDATE segmentation_criteriarow r
SET (status, tier_id, customer_class, growth_band, revenue, last_purchase_at, category_ids,
     score_band)
  = (n.status, n.tier_id, n.customer_class, n.growth_band, n.revenue, n.last_purchase_at,
     n.category_ids, n.score_band)
FROM (
    SELECT f.customer_id, {status} AS status, f.tier_id, {customer_class} AS customer_class,
           {growth_band} AS growth_band, f.revenue::numeric(16, 2) AS revenue,
           f.last_purchase_at, nullif(f.category_ids, '{{}}') AS category_ids,
           floor(f.score)::smallint AS score_band
    FROM seg_facts f
) n
WHERE r.customer_id = n.customer_id AND r.tenant_id = %(tenant)s
  AND (r.status, r.tier_id, r.customer_class, r.growth_band, r.revenue, r.last_purchase_at,
       r.category_ids, r.score_band)
      IS DISTINCT FROM
      (n.status, n.tier_id, n.customer_class, n.growth_band, n.revenue, n.last_purchase_at,
       n.category_ids, n.score_band)
