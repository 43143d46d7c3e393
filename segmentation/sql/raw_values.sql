-- Step 1: one row per (not archived) customer with its status and raw value per key.
-- One scan of the tenant's transactions computes every transaction metric at once (the
-- subquery only names the columns metrics use; PostgreSQL flattens it, and may run the scan
-- and a partial aggregation in parallel workers). Money is summed exactly, as integer cents
-- (bigint sums keep a small 128-bit state per customer, where numeric sums kept ~500 bytes and
-- spilled to disk at 1M customers): float8 sums depend on the rows' order, and customers with
-- equal revenues got different values and different percentile ranks.
CREATE TEMP TABLE seg_raw ON COMMIT DROP AS
SELECT c.id AS customer_id,
       CASE WHEN tx.last_purchase_at IS NULL THEN 'prospect'
            WHEN tx.last_purchase_at < %(activity_since)s THEN 'inactive'
            ELSE 'active' END AS status,
       coalesce(tx.activity_revenue_cents, 0) / 100.0 AS revenue,
       coalesce(tx.activity_margin_cents, 0) / 100.0 AS margin,
       -- for the dashboard step (services/dashboard_summaries.py): growth and last purchase
       tx.last_purchase_at,
       coalesce(tx.growth_revenue_cents, 0) / 100.0 AS growth_revenue,
       coalesce(tx.previous_revenue_cents, 0) / 100.0 AS previous_revenue,
       -- the categories bought in the activity window, one bit each (NULL: none, or the
       -- dashboard step scans them itself), and the vertical dimensions: no second scan
       tx.category_mask,
       c.region, c.city, c.industry, c.acquisition_channel, c.lifecycle_stage, c.kind
       {columns}
FROM customers_customer c
LEFT JOIN (
    SELECT t.customer_id,
           max(t.occurred_at) FILTER (WHERE t.is_purchase) AS last_purchase_at,
           sum(t.amount_cents) FILTER (
               WHERE t.is_purchase AND t.occurred_at >= %(activity_since)s
           ) AS activity_revenue_cents,
           sum(t.margin_cents) FILTER (
               WHERE t.is_purchase AND t.cost IS NOT NULL AND t.occurred_at >= %(activity_since)s
           ) AS activity_margin_cents,
           sum(t.amount_cents) FILTER (
               WHERE t.is_purchase AND t.occurred_at >= %(growth_since)s
           ) AS growth_revenue_cents,
           sum(t.amount_cents) FILTER (
               WHERE t.is_purchase AND t.occurred_at >= %(growth_previous_since)s
                 AND t.occurred_at < %(growth_since)s
           ) AS previous_revenue_cents,
           bit_or({category_bit}) FILTER (
               WHERE t.is_purchase AND t.occurred_at >= %(activity_since)s
           ) AS category_mask
         {aggregates}
    FROM (
        SELECT t.customer_id, t.kind, t.status, t.occurred_at, t.amount, t.cost,
               (t.amount * 100)::bigint AS amount_cents,
               ((t.amount - t.cost) * 100)::bigint AS margin_cents,
               t.due_date, t.paid_date, t.category_id, t.product_id,
               (t.kind = 'purchase' AND t.status = 'completed') AS is_purchase
        FROM customers_transaction t
        WHERE t.tenant_id = %(tenant)s AND t.occurred_at < %(now)s
    ) t
    GROUP BY t.customer_id
) tx ON tx.customer_id = c.id
{joins}
WHERE c.tenant_id = %(tenant)s AND c.archived_at IS NULL
