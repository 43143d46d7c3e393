-- ... rows whose facts changed are rewritten (run_id: the run that last changed them). The
-- score is not among them (it is the score row's, which changes for nearly everyone every day):
-- a nightly run rewrites only the customers whose tier, status, class, window revenue, growth
-- or categories moved, ...
UPDATE segmentation_customerfacts cf
SET run_id = %(run)s, status = n.status, tier_id = n.tier_id,
    revenue = n.revenue, margin = n.margin, growth_revenue = n.growth_revenue,
    previous_revenue = n.previous_revenue, growth_percent = n.growth_percent,
    growth_band = n.growth_band, customer_class = n.customer_class,
    last_purchase_at = n.last_purchase_at, category_ids = n.category_ids
FROM seg_facts n
WHERE cf.customer_id = n.customer_id AND cf.tenant_id = %(tenant)s
  AND (cf.status, cf.tier_id, cf.revenue, cf.margin, cf.growth_revenue,
       cf.previous_revenue, cf.growth_percent, cf.growth_band, cf.customer_class,
       cf.last_purchase_at, cf.category_ids)
      IS DISTINCT FROM
      (n.status, n.tier_id, n.revenue, n.margin, n.growth_revenue,
       n.previous_revenue, n.growth_percent, n.growth_band, n.customer_class,
       n.last_purchase_at, n.category_ids)
