-- One Recipient row per member of campaign_audience (see __init__.py for the rules' order);
-- returns what was written, counted per group and reason (the start's summary, without reading
-- the rows again).
-- `OFFSET 0` keeps `people` and `ruled` from being folded into the statements that read them:
-- folded, each reference to a computed column (the channel, the reason, the control hash)
-- repeats its expression, and 200,000 rows paid for the md5 four times and the channel six.
WITH people AS (
    SELECT
        a.customer_id,
        a.occurrence,
        c.archived_at IS NOT NULL AS archived,
        c.lifecycle_stage = 'terminated' AS terminated,
        s.id IS NOT NULL AS suppressed,
        -- The first channel in the campaign's order the customer can be reached on.
        (%(channels)s::text[])[LEAST(
            CASE WHEN c.consent_email AND c.email <> ''
                 THEN array_position(%(channels)s::text[], 'email') END,
            CASE WHEN c.consent_sms AND c.phone <> ''
                 THEN array_position(%(channels)s::text[], 'sms') END,
            CASE WHEN c.consent_phone AND c.phone <> ''
                 THEN array_position(%(channels)s::text[], 'call') END,
            -- Letters need an address; KVKK's electronic-message consent (İYS) does not apply.
            CASE WHEN c.address <> ''
                 THEN array_position(%(channels)s::text[], 'mail') END
        )] AS channel,
        {priority} AS priority
    FROM campaign_audience a
    JOIN customers_customer c ON c.id = a.customer_id AND c.tenant_id = %(tenant)s
    LEFT JOIN campaigns_suppression s ON s.customer_id = a.customer_id AND s.tenant_id = %(tenant)s
    LEFT JOIN (
        SELECT t.customer_id, sum(t.amount - t.cost) AS margin
        FROM customers_transaction t
        WHERE %(by_margin)s
          AND t.tenant_id = %(tenant)s
          AND t.kind = 'purchase' AND t.status = 'completed' AND t.cost IS NOT NULL
          AND t.occurred_at >= %(margin_since)s
          AND t.customer_id IN (SELECT customer_id FROM campaign_audience)
        GROUP BY t.customer_id
    ) m ON m.customer_id = a.customer_id
    OFFSET 0
),
recent AS (
    SELECT r.customer_id, count(*) AS contacts
    FROM campaigns_recipient r
    JOIN {audience_customers} a ON a.customer_id = r.customer_id
    WHERE r.tenant_id = %(tenant)s
      AND r."group" = 'target'
      AND r.status IN ('queued', 'sending', 'sent')
      AND r.created_at >= %(cap_since)s
    GROUP BY r.customer_id
),
ruled AS (
    SELECT
        p.*,
        CASE
            WHEN p.archived THEN 'archived'
            WHEN p.terminated THEN 'terminated'
            WHEN p.suppressed THEN 'suppressed'
            WHEN p.channel IS NULL THEN 'no_consent'
            WHEN COALESCE(rc.contacts, 0) >= %(cap)s THEN 'capped'
            ELSE ''
        END AS reason,
        ('x' || substr(md5(%(campaign)s::text || ':' || p.customer_id::text || ':' || p.occurrence), 1, 8))
            ::bit(32)::bigint %% 10000 < %(control_basis_points)s AS is_control,
        CASE p.channel
            WHEN 'email' THEN %(cost_email)s::numeric
            WHEN 'sms' THEN %(cost_sms)s::numeric
            WHEN 'call' THEN %(cost_call)s::numeric
            WHEN 'mail' THEN %(cost_mail)s::numeric
            ELSE 0
        END AS channel_cost
    FROM people p
    LEFT JOIN recent rc ON rc.customer_id = p.customer_id
    OFFSET 0
),
budgeted AS (
    SELECT
        r.*,
        %(spent)s::numeric + sum(CASE WHEN r.reason = '' AND NOT r.is_control THEN r.channel_cost ELSE 0 END)
            OVER (ORDER BY r.reason <> '', r.priority DESC, r.customer_id, r.occurrence
                  ROWS UNBOUNDED PRECEDING) AS spent_so_far
    FROM ruled r
),
inserted AS (
INSERT INTO campaigns_recipient (
    tenant_id, campaign_id, customer_id, occurrence, "group", reason, channel, priority, cost,
    status, attempts, last_error, created_at, outcome
)
SELECT
    %(tenant)s,
    %(campaign)s,
    b.customer_id,
    b.occurrence,
    CASE
        WHEN b.reason <> '' THEN 'excluded'
        WHEN %(budget)s::numeric IS NOT NULL AND b.spent_so_far > %(budget)s::numeric THEN 'excluded'
        WHEN b.is_control THEN 'control'
        ELSE 'target'
    END,
    CASE
        WHEN b.reason <> '' THEN b.reason
        WHEN %(budget)s::numeric IS NOT NULL AND b.spent_so_far > %(budget)s::numeric THEN 'over_budget'
        ELSE ''
    END,
    COALESCE(b.channel, ''),
    b.priority,
    CASE
        WHEN b.reason = '' AND NOT b.is_control
             AND (%(budget)s::numeric IS NULL OR b.spent_so_far <= %(budget)s::numeric)
        THEN b.channel_cost ELSE 0
    END,
    CASE
        WHEN b.reason = '' AND NOT b.is_control
             AND (%(budget)s::numeric IS NULL OR b.spent_so_far <= %(budget)s::numeric)
        THEN 'queued' ELSE ''
    END,
    0,
    '',
    %(now)s,
    ''
FROM budgeted b
{on_conflict}
RETURNING "group", reason, cost
)
SELECT "group", reason, count(*), COALESCE(sum(cost), 0) FROM inserted GROUP BY 1, 2
