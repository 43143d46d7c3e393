-- Archived customers leave the scores.
DELETE FROM segmentation_customerscore cs
WHERE cs.tenant_id = %(tenant)s
  AND NOT EXISTS (SELECT 1 FROM seg_final f WHERE f.customer_id = cs.customer_id)
