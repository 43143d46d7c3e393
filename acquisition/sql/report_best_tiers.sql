-- The report's tier counts: per (channel, campaign, horizon), how many measured customers had
-- each tier as their best, summed over the period's months of one summary run (the JSON
-- objects added up in the database, not row by row in Python).
SELECT v.channel, v.campaign_id, v.horizon_months, tier.key::bigint, sum(tier.value::int)
FROM acquisition_valuesummary v
CROSS JOIN LATERAL jsonb_each_text(v.best_tiers) AS tier
WHERE v.tenant_id = %(tenant_id)s AND v.run_id = %(run_id)s
  AND v.month >= %(start)s AND v.month <= %(end)s
GROUP BY 1, 2, 3, 4
