-- One row per (cohort month, channel, campaign) of the tenant; see __init__.py.
INSERT INTO acquisition_cohortsummary
    (tenant_id, run_id, month, channel, campaign_id, customers, leads, leads_won, won, buyers,
     days_to_first_purchase)
WITH first_purchase AS (
    SELECT customer_id, min(occurred_at) AS at
    FROM customers_transaction
    WHERE tenant_id = %(tenant_id)s AND status = 'completed' AND kind = 'purchase'
    GROUP BY customer_id
),
people AS (
    SELECT c.acquisition_channel AS channel,
           l.campaign_id AS campaign,
           l.id IS NOT NULL AS is_lead,
           l.status = 'won' AS lead_won,
           coalesce((l.created_at AT TIME ZONE %(zone)s)::date, c.acquired_on,
                    (c.created_at AT TIME ZONE %(zone)s)::date) AS started_on,
           (fp.at AT TIME ZONE %(zone)s)::date AS first_purchase_on
    FROM customers_customer c
    LEFT JOIN acquisition_lead l ON l.customer_id = c.id
    LEFT JOIN first_purchase fp ON fp.customer_id = c.id
    WHERE c.tenant_id = %(tenant_id)s
)
SELECT %(tenant_id)s, %(run_id)s, date_trunc('month', started_on)::date, channel, campaign,
       count(*),
       count(*) FILTER (WHERE is_lead),
       count(*) FILTER (WHERE lead_won),
       count(*) FILTER (WHERE first_purchase_on IS NOT NULL OR lead_won),
       count(first_purchase_on),
       coalesce(sum(greatest(first_purchase_on - started_on, 0)), 0)
FROM people
GROUP BY 3, 4, 5
