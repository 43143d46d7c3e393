-- Transitions from each customer's previous tier (the stored score) to the new one.
INSERT INTO segmentation_runtransitionsummary
       (tenant_id, run_id, from_tier_id, to_tier_id, customers)
SELECT %(tenant)s, %(run)s, f.old_tier_id, f.tier_id, count(*)
FROM seg_final f
WHERE f.old_tier_id IS NOT NULL OR f.tier_id IS NOT NULL
GROUP BY f.old_tier_id, f.tier_id
