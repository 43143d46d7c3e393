-- The run's predictions, in the column order of PREDICTION_COLUMNS (services/predict.py): one
-- row per summarised customer, from the per-(frequency, recency, age) figures the fitted
-- BG/NBD gave (pred_combo) and the Gamma-Gamma expected value per purchase, a weighted mean of
-- the customer's own repeat purchase value and the population's:
--   w = p x / (p x + q - 1),   E[M] = (1 - w) v p / (q - 1) + w m
-- Inserted into the run's fresh leaf (services/predict.py, _live_publish).
SELECT %(tenant)s::bigint, s.customer_id, %(run)s::bigint, s.frequency, s.recency, s.age,
       round(s.monetary, 2), c.p_alive, c.expected_purchases, c.propensity,
       round(v.order_value::numeric, 2), round((v.order_value * c.discounted_purchases)::numeric, 2)
FROM pred_summary s
JOIN pred_combo c USING (frequency, recency, age)
CROSS JOIN LATERAL (
    SELECT (1 - w) * %(gg_v)s::float8 * %(gg_p)s::float8 / (%(gg_q)s::float8 - 1)
           + w * s.monetary::float8 AS order_value
    FROM (SELECT %(gg_p)s::float8 * s.frequency / (%(gg_p)s::float8 * s.frequency
                                                   + %(gg_q)s::float8 - 1) AS w) weight
) v
