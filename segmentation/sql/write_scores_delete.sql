-- Archived customers leave the scores (deleted customers leave through Django's cascade).
DELETE FROM segmentation_customerscore cs
USING customers_customer c
WHERE c.tenant_id = %(tenant)s AND c.archived_at IS NOT NULL
  AND cs.customer_id = c.id AND cs.tenant_id = %(tenant)s
