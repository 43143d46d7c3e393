INSERT INTO segmentation_customerfacts
       (tenant_id, customer_id, run_id, status, tier_id, score, revenue, margin, growth_revenue,
        previous_revenue, growth_percent, growth_band, customer_class, last_purchase_at,
        category_ids)
SELECT %(tenant)s, customer_id, %(run)s, status, tier_id, score, revenue, margin, growth_revenue,
       previous_revenue, growth_percent, growth_band, customer_class, last_purchase_at,
       category_ids
FROM seg_facts
