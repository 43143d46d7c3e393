-- ... and customers scored for the first time are added (every scored customer has a facts
-- row, migration 0006: the stored score's absence, seg_final's old_status, says who is new).
INSERT INTO segmentation_customerfacts
       (tenant_id, customer_id, run_id, status, tier_id, revenue, margin, growth_revenue,
        previous_revenue, growth_percent, growth_band, customer_class, last_purchase_at,
        category_ids)
SELECT %(tenant)s, n.customer_id, %(run)s, n.status, n.tier_id, n.revenue, n.margin,
       n.growth_revenue, n.previous_revenue, n.growth_percent, n.growth_band, n.customer_class,
       n.last_purchase_at, n.category_ids
FROM seg_facts n
WHERE n.old_status IS NULL
