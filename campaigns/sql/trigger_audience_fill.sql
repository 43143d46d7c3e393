INSERT INTO campaign_audience (customer_id, occurrence)
SELECT q.customer_id, q.occurrence
FROM ({trigger}) q
WHERE NOT EXISTS (
    SELECT 1 FROM campaigns_recipient r
    WHERE r.campaign_id = %(campaign)s
      AND r.customer_id = q.customer_id
      AND r.occurrence = q.occurrence
)
