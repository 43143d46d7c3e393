INSERT INTO campaign_audience (customer_id, occurrence, score)
SELECT q.customer_id, q.occurrence, cs.score
FROM ({trigger}) q
LEFT JOIN segmentation_customerscore cs
    ON cs.customer_id = q.customer_id AND cs.tenant_id = %(tenant)s
WHERE NOT EXISTS (
    SELECT 1 FROM campaigns_recipient r
    WHERE r.campaign_id = %(campaign)s
      AND r.customer_id = q.customer_id
      AND r.occurrence = q.occurrence
)
