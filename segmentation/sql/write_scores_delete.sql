-- Archived customers leave the scores (deleted customers leave through Django's cascade), and
-- the dashboard's facts with them (every scored customer has a facts row: migration 0006); their
-- segment criteria rows lose the facts and the score band (the recompute writes those rows
-- itself: the triggers stand aside while it runs, dashboard_criteria_rows.sql).
WITH gone AS (
    DELETE FROM segmentation_customerscore cs
    USING customers_customer c
    WHERE c.tenant_id = %(tenant)s AND c.archived_at IS NOT NULL
      AND cs.customer_id = c.id AND cs.tenant_id = %(tenant)s
    RETURNING cs.customer_id
), facts_gone AS (
    DELETE FROM segmentation_customerfacts cf
    USING gone
    WHERE cf.customer_id = gone.customer_id AND cf.tenant_id = %(tenant)s
    RETURNING cf.customer_id
)
UPDATE segmentation_criteriarow r
SET (status, tier_id, customer_class, growth_band, revenue, last_purchase_at, category_ids,
     score_band) = (NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)
FROM (SELECT customer_id FROM gone UNION SELECT customer_id FROM facts_gone) g
WHERE r.customer_id = g.customer_id AND r.tenant_id = %(tenant)s
