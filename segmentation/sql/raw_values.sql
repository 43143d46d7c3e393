-- Step 1: one row per (not archived) customer with its status and raw value per key.
-- One scan of the tenant's transactions computes every transaction metric at once; the
-- purchase test is evaluated once per row (OFFSET 0 keeps the subquery from being flattened
-- into every aggregate's FILTER). Metric sums run in float8 (scoring only); the dashboard's
-- revenue and margin stay exact numeric.
CREATE TEMP TABLE seg_raw ON COMMIT DROP AS
SELECT c.id AS customer_id,
       CASE WHEN tx.last_purchase_at IS NULL THEN 'prospect'
            WHEN tx.last_purchase_at < %(activity_since)s THEN 'inactive'
            ELSE 'active' END AS status,
       coalesce(tx.activity_revenue, 0) AS revenue,
       coalesce(tx.activity_margin, 0) AS margin
       {columns}
FROM customers_customer c
LEFT JOIN (
    SELECT t.customer_id,
           max(t.occurred_at) FILTER (WHERE t.is_purchase) AS last_purchase_at,
           sum(t.amount) FILTER (
               WHERE t.is_purchase AND t.occurred_at >= %(activity_since)s
           ) AS activity_revenue,
           sum(t.amount - t.cost) FILTER (
               WHERE t.is_purchase AND t.cost IS NOT NULL AND t.occurred_at >= %(activity_since)s
           ) AS activity_margin
         {aggregates}
    FROM (
        SELECT t.customer_id, t.kind, t.status, t.occurred_at, t.amount, t.cost,
               t.amount::float8 AS amount_f, (t.amount - t.cost)::float8 AS margin_f,
               t.due_date, t.paid_date,
               (t.kind = 'purchase' AND t.status = 'completed') AS is_purchase
        FROM customers_transaction t
        WHERE t.tenant_id = %(tenant)s AND t.occurred_at < %(now)s
        OFFSET 0
    ) t
    GROUP BY t.customer_id
) tx ON tx.customer_id = c.id
{joins}
WHERE c.tenant_id = %(tenant)s AND c.archived_at IS NULL
