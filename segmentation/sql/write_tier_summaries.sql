-- Dashboard summary of this run: customers, revenue and margin (activity window) per tier.
INSERT INTO segmentation_runtiersummary
       (tenant_id, run_id, tier_id, status, customers, revenue, margin, average_score)
SELECT %(tenant)s, %(run)s, f.tier_id, f.status, count(*), sum(f.revenue), sum(f.margin),
       round(avg(f.score), 4)
FROM seg_final f
GROUP BY f.tier_id, f.status
