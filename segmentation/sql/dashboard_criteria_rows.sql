-- Dashboard step 3: the segment criteria rows (CriteriaRow, migrations 0013 and 0014) of the
-- customers step 2 touched (seg_touched: facts rewritten or new, or another score band) take
-- this run's facts and score band, where they differ. The facts' and scores' own triggers stand
-- aside while the recompute runs (segmentation.recompute); archived customers' rows are cleared
-- with their scores (write_scores_delete.sql). seg_touched's choice columns are already codes.
UPDATE segmentation_criteriarow r
SET (status, tier_id, customer_class, growth_band, revenue, last_purchase_at, category_ids,
     score_band)
  = (t.status, t.tier_id, t.customer_class, t.growth_band, t.revenue, t.last_purchase_at,
     t.category_ids, t.score_band)
FROM seg_touched t
WHERE r.customer_id = t.customer_id AND r.tenant_id = %(tenant)s
  AND (r.status, r.tier_id, r.customer_class, r.growth_band, r.revenue, r.last_purchase_at,
       r.category_ids, r.score_band)
      IS DISTINCT FROM
      (t.status, t.tier_id, t.customer_class, t.growth_band, t.revenue, t.last_purchase_at,
       t.category_ids, t.score_band)
