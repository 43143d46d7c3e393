-- The purchases: each customer's count, spread between acquisition and last purchase.
INSERT INTO customers_transaction (
  tenant_id, customer_id, kind, occurred_at, amount, cost, currency, category_id, product_id,
  channel, quantity, status, due_date, paid_date, external_id, recorded_by_id, created_at)
SELECT %(tenant)s, id, kind, occurred_at, amount,
  CASE WHEN kind = 'cost_share' THEN NULL ELSE round((amount * (0.4 + 0.5 * r_cost))::numeric, 2) END,
  'TRY', (%(category_ids)s::bigint[])[product_index], (%(product_ids)s::bigint[])[product_index], channel, quantity,
  CASE WHEN r_status < 0.02 THEN 'refunded' ELSE 'completed' END,
  due_date,
  CASE WHEN due_date IS NULL THEN occurred_at::date
       WHEN r_paid < 0.80 THEN least(current_date, occurred_at::date + floor(r_cost * 30)::int)
       WHEN r_paid < 0.96 AND due_date + 1 + floor(r_cost * 60)::int <= current_date
         THEN due_date + 1 + floor(r_cost * 60)::int
       END,
  'T' || lpad((%(external_offset)s + before + k)::text, 9, '0'),
  owner_id, occurred_at
FROM (
  SELECT x.*,
    CASE WHEN x.customer_kind = 'company' THEN x.occurred_at::date + 30 END AS due_date
  FROM (
    SELECT c.id, c.owner_id, c.kind AS customer_kind, o.before, k,
      CASE WHEN random() < 0.01 THEN 'cost_share' ELSE 'purchase' END AS kind,
      least(now(), ((current_date - (p.last_days_ago + floor(random() * (p.acquired_days_ago - p.last_days_ago + 1))::int))
        + interval '9 hours' + random() * interval '11 hours') AT TIME ZONE 'Europe/Istanbul')
        AS occurred_at,
      least(99999999, round(exp(p.log_order_size + 0.5 * sqrt(-2 * ln(1 - random()))
                                                       * cos(2 * pi() * random()))::numeric, 2))
        AS amount,
      random() AS r_cost, random() AS r_status, random() AS r_paid,
      1 + floor(random() * cardinality(%(product_ids)s::bigint[]))::int AS product_index,
      CASE WHEN c.kind = 'company'
           THEN (ARRAY['field', 'partner', 'phone', 'web'])[1 + floor(random() * 4)::int]
           ELSE (ARRAY['store', 'store', 'web', 'web', 'marketplace', 'phone'])[1 + floor(random() * 6)::int]
           END AS channel,
      (1 + floor(random() * random() * 5))::numeric AS quantity
    FROM scale_plan p
    JOIN scale_offsets o USING (rn)
    JOIN customers_customer c ON c.tenant_id = %(tenant)s AND c.id = p.id
    CROSS JOIN LATERAL generate_series(1, p.purchases) k
    WHERE p.purchases > 0
    OFFSET 0
  ) x
) t
