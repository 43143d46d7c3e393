-- Archived customers leave the scores (deleted customers leave through Django's cascade), and
-- the dashboard's facts with them (every scored customer has a facts row: migration 0006).
WITH gone AS (
    DELETE FROM segmentation_customerscore cs
    USING customers_customer c
    WHERE c.tenant_id = %(tenant)s AND c.archived_at IS NOT NULL
      AND cs.customer_id = c.id AND cs.tenant_id = %(tenant)s
    RETURNING cs.customer_id
)
DELETE FROM segmentation_customerfacts cf
USING gone
WHERE cf.customer_id = gone.customer_id AND cf.tenant_id = %(tenant)s
