-- Dashboard summary of this run: customers, revenue and margin (activity window) per tier, and
-- the lowest score that made it into each tier without a pin (the customer page's "points to the
-- next tier": read here, not as a MIN over the tier's scores when the new run's first pages come).
INSERT INTO segmentation_runtiersummary
       (tenant_id, run_id, tier_id, status, customers, revenue, margin, average_score,
        lowest_score)
SELECT %(tenant)s, %(run)s, f.tier_id, f.status, count(*), sum(f.revenue), sum(f.margin),
       round(avg(f.score), 4), round(min(f.score) FILTER (WHERE NOT f.is_pinned), 4)
FROM seg_final f
GROUP BY f.tier_id, f.status
