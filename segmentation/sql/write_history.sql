-- Tier history: one row per customer whose tier differs from the stored one (first placement
-- included; customers staying outside the pyramid leave no row).
INSERT INTO segmentation_tierchange
       (tenant_id, customer_id, from_tier_id, to_tier_id, run_id, reason, note, changed_at)
SELECT %(tenant)s, f.customer_id, f.old_tier_id, f.tier_id, %(run)s, 'recompute', '', %(now)s
FROM seg_final f
WHERE f.tier_id IS DISTINCT FROM f.old_tier_id
