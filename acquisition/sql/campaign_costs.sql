-- One row per (month sent, acquisition campaign) of the tenant; see __init__.py.
INSERT INTO acquisition_campaigncostsummary (tenant_id, run_id, month, campaign_id, messages, amount)
SELECT %(tenant_id)s, %(run_id)s,
       date_trunc('month', r.sent_at AT TIME ZONE %(zone)s)::date,
       r.campaign_id, count(*), sum(r.cost)
FROM campaigns_campaign c
JOIN campaigns_recipient r ON r.campaign_id = c.id AND r.tenant_id = %(tenant_id)s
WHERE c.tenant_id = %(tenant_id)s AND c.objective = 'acquisition'
  AND r.status = 'sent' AND r.sent_at IS NOT NULL
GROUP BY 3, 4
