-- Results per campaign and group (contacted vs control), optionally split by a breakdown
-- column (the customer's current tier or lifecycle stage) or limited to some customers (a
-- members filter, e.g. a saved segment's members). Positional parameters: tenant, campaign
-- ids, then the filter's own. Everyone of a group counts in
-- its denominator (intention to treat): a message that failed or was stopped still belongs to
-- the contacted group, as the control group's customers were chosen before any sending.
-- Conversion: a completed purchase within the attribution window after entering the audience,
-- or a positive logged call outcome.
WITH members AS (
    SELECT r.id, r.campaign_id, r.customer_id, r."group", r.status, r.channel, r.cost,
           r.created_at, r.clicked_at, r.outcome, c.attribution_days
    FROM campaigns_recipient r
    JOIN campaigns_campaign c ON c.id = r.campaign_id
    WHERE r.tenant_id = %s
      AND r.campaign_id = ANY(%s)
      AND r."group" IN ('target', 'control')
      {members_filter}
),
purchases AS (
    SELECT m.id,
           count(t.id) AS orders,
           sum(t.amount) AS revenue,
           COALESCE(sum(t.amount - t.cost) FILTER (WHERE t.cost IS NOT NULL), 0) AS margin
    FROM members m
    JOIN customers_transaction t
      ON t.customer_id = m.customer_id
     AND t.kind = 'purchase' AND t.status = 'completed'
     AND t.occurred_at >= m.created_at
     AND t.occurred_at < m.created_at + make_interval(days => m.attribution_days)
    GROUP BY m.id
)
SELECT
    m.campaign_id,
    m."group",
    {breakdown} AS breakdown,
    count(*) AS members,
    count(*) FILTER (WHERE m.status = 'sent') AS contacted,
    count(*) FILTER (WHERE m.status = 'sent' AND m.outcome <> 'no_answer') AS delivered,
    count(*) FILTER (WHERE m.clicked_at IS NOT NULL) AS clicked,
    count(*) FILTER (WHERE p.orders > 0 OR m.outcome IN ('interested', 'sale')) AS converted,
    COALESCE(sum(p.revenue), 0) AS revenue,
    COALESCE(sum(p.margin), 0) AS margin,
    COALESCE(sum(m.cost) FILTER (WHERE m.status = 'sent'), 0) AS cost
FROM members m
LEFT JOIN purchases p ON p.id = m.id
{breakdown_join}
GROUP BY 1, 2, 3
