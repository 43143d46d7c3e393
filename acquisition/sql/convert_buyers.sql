-- Convert every not-won lead of the tenant whose customer has a completed purchase
-- (restricted to %(customer_ids)s unless it is NULL). See __init__.py.
WITH buyers AS (
    SELECT t.customer_id, min(t.occurred_at) AS first_purchase
    FROM customers_transaction t
    JOIN acquisition_lead l ON l.customer_id = t.customer_id
    WHERE t.tenant_id = %(tenant_id)s
      AND l.tenant_id = %(tenant_id)s
      AND l.status <> 'won'
      AND t.status = 'completed'
      AND t.kind = 'purchase'
      AND (%(customer_ids)s::bigint[] IS NULL OR t.customer_id = ANY(%(customer_ids)s::bigint[]))
    GROUP BY t.customer_id
),
converted AS (
    UPDATE acquisition_lead l
    SET status = 'won',
        converted_at = b.first_purchase,
        conversion = 'purchase',
        status_changed_at = greatest(now(), l.created_at)
    FROM buyers b
    WHERE l.customer_id = b.customer_id
      AND l.tenant_id = %(tenant_id)s
      AND l.status <> 'won'
    RETURNING l.id, l.customer_id, l.converted_at
),
stage AS (
    UPDATE customers_customer c
    SET lifecycle_stage = CASE WHEN c.lifecycle_stage = 'prospect' THEN 'new'
                               ELSE c.lifecycle_stage END,
        acquired_on = coalesce(c.acquired_on, (cv.converted_at AT TIME ZONE %(zone)s)::date),
        updated_at = now()
    FROM converted cv
    WHERE c.id = cv.customer_id AND c.tenant_id = %(tenant_id)s
    RETURNING c.id
),
audit AS (
    INSERT INTO crm_auditentry (tenant_id, action, actor_id, object_type, object_id, data, created_at)
    SELECT %(tenant_id)s, 'acquisition.lead.converted', NULL, 'acquisition.lead', cv.id::text,
           jsonb_build_object('conversion', 'purchase', 'customer', cv.customer_id,
                              'first_purchase', cv.converted_at),
           now()
    FROM converted cv
    RETURNING 1
)
SELECT cv.id, (SELECT count(*) FROM stage), (SELECT count(*) FROM audit)
FROM converted cv
