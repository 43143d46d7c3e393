-- One row per (cohort month, channel, campaign, horizon) of the tenant; see __init__.py.
INSERT INTO acquisition_valuesummary
    (tenant_id, run_id, month, channel, campaign_id, horizon_months, customers, revenue, scored,
     score_sum, best_tiers)
WITH first_purchase AS (
    SELECT customer_id, min(occurred_at) AS at
    FROM customers_transaction
    WHERE tenant_id = %(tenant_id)s AND status = 'completed' AND kind = 'purchase'
    GROUP BY customer_id
),
horizons AS (
    SELECT unnest(ARRAY[3, 6, 12]) AS months
),
measured AS (
    -- Buyers whose first purchase is at least `months` old, with the end of their horizon.
    SELECT c.id AS customer_id,
           c.acquisition_channel AS channel,
           l.campaign_id AS campaign,
           date_trunc('month', coalesce((l.created_at AT TIME ZONE %(zone)s)::date, c.acquired_on,
                                        (c.created_at AT TIME ZONE %(zone)s)::date))::date AS month,
           h.months,
           fp.at AS first_at,
           fp.at + make_interval(months => h.months) AS horizon_end
    FROM customers_customer c
    JOIN first_purchase fp ON fp.customer_id = c.id
    CROSS JOIN horizons h
    LEFT JOIN acquisition_lead l ON l.customer_id = c.id
    WHERE c.tenant_id = %(tenant_id)s
      AND fp.at + make_interval(months => h.months) <= %(now)s
),
revenue AS (
    SELECT m.customer_id, m.months, sum(t.amount) AS amount
    FROM measured m
    JOIN customers_transaction t
      ON t.customer_id = m.customer_id AND t.tenant_id = %(tenant_id)s
     AND t.status = 'completed' AND t.kind = 'purchase'
     AND t.occurred_at >= m.first_at AND t.occurred_at < m.horizon_end
    GROUP BY m.customer_id, m.months
),
best_tier AS (
    SELECT DISTINCT ON (m.customer_id, m.months) m.customer_id, m.months, tc.to_tier_id
    FROM measured m
    JOIN segmentation_tierchange tc
      ON tc.customer_id = m.customer_id AND tc.tenant_id = %(tenant_id)s
     AND tc.changed_at < m.horizon_end AND tc.to_tier_id IS NOT NULL
    JOIN segmentation_tier tier ON tier.id = tc.to_tier_id
    ORDER BY m.customer_id, m.months, tier.position
),
per_customer AS (
    SELECT m.month, m.channel, m.campaign, m.months,
           coalesce(r.amount, 0) AS amount,
           s.score,
           b.to_tier_id
    FROM measured m
    LEFT JOIN revenue r ON r.customer_id = m.customer_id AND r.months = m.months
    LEFT JOIN best_tier b ON b.customer_id = m.customer_id AND b.months = m.months
    LEFT JOIN segmentation_customerscore s
      ON s.customer_id = m.customer_id AND s.tenant_id = %(tenant_id)s
),
tier_counts AS (
    SELECT month, channel, campaign, months,
           jsonb_object_agg(to_tier_id::text, customers) AS best_tiers
    FROM (
        SELECT month, channel, campaign, months, to_tier_id, count(*) AS customers
        FROM per_customer WHERE to_tier_id IS NOT NULL
        GROUP BY 1, 2, 3, 4, 5
    ) counted
    GROUP BY 1, 2, 3, 4
)
SELECT %(tenant_id)s, %(run_id)s, p.month, p.channel, p.campaign, p.months,
       count(*), sum(p.amount), count(p.score), coalesce(sum(p.score), 0),
       coalesce(min(tc.best_tiers::text)::jsonb, '{}'::jsonb)
FROM per_customer p
LEFT JOIN tier_counts tc
  ON tc.month = p.month AND tc.channel = p.channel
 AND coalesce(tc.campaign, 0) = coalesce(p.campaign, 0)  -- hashable, unlike IS NOT DISTINCT FROM
 AND tc.months = p.months
GROUP BY p.month, p.channel, p.campaign, p.months
