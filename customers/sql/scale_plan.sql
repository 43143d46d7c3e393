-- One row per new customer with everything the other steps need: kind, lifecycle stage, how many
-- days ago they were acquired and last bought, how many purchases and how large. Rows are numbered
-- by acquisition date, so ids grow with time and a referrer (a lower number) came earlier.
CREATE TEMP TABLE scale_plan ON COMMIT DROP AS
WITH drawn AS (
  SELECT g, random() AS r_kind, random() AS r_stage, random() AS r_acquired, random() AS r_last,
         sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()) AS z_count,
         sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()) AS z_size
  FROM generate_series(1, %(customers)s) g
  OFFSET 0
), staged AS (
  SELECT g, z_count, z_size, r_last,
         CASE WHEN r_kind < 0.2 THEN 'company' ELSE 'person' END AS kind,
         CASE WHEN r_stage < 0.10 THEN 'prospect' WHEN r_stage < 0.18 THEN 'new'
              WHEN r_stage < 0.58 THEN 'active' WHEN r_stage < 0.72 THEN 'at_risk'
              WHEN r_stage < 0.92 THEN 'lapsed' WHEN r_stage < 0.98 THEN 'won_back'
              ELSE 'terminated' END AS stage,
         r_acquired
  FROM drawn
), dated AS (
  SELECT g, z_count, z_size, kind, stage, r_last,
         CASE stage WHEN 'prospect' THEN floor(r_acquired * 1095)
                    WHEN 'new' THEN floor(r_acquired * 90)
                    WHEN 'active' THEN 120 + floor(r_acquired * 975)
                    WHEN 'at_risk' THEN 250 + floor(r_acquired * 845)
                    WHEN 'lapsed' THEN 420 + floor(r_acquired * 675)
                    WHEN 'won_back' THEN 400 + floor(r_acquired * 695)
                    ELSE 200 + floor(r_acquired * 895) END::int AS acquired_days_ago
  FROM staged
), spanned AS (
  SELECT *,
         CASE WHEN stage = 'prospect' THEN NULL ELSE least(acquired_days_ago, CASE stage
                    WHEN 'new' THEN floor(r_last * acquired_days_ago)
                    WHEN 'active' THEN floor(r_last * 150)
                    WHEN 'at_risk' THEN 180 + floor(r_last * 170)
                    WHEN 'lapsed' THEN 366 + floor(r_last * (acquired_days_ago - 366))
                    WHEN 'won_back' THEN floor(r_last * 60)
                    ELSE 30 + floor(r_last * (acquired_days_ago - 30)) END)::int END
           AS last_days_ago
  FROM dated
), weighted AS (
  SELECT row_number() OVER (ORDER BY acquired_days_ago DESC, g) AS rn, kind, stage,
         acquired_days_ago, last_days_ago,
         -- median order: 450 TL for people, 4,500 TL for companies, log-normally spread
         CASE kind WHEN 'company' THEN ln(4500) + 0.9 * z_size ELSE ln(450) + 0.8 * z_size END
           AS log_order_size,
         -- purchases: log-normal in the customer's appetite, proportional to the active span
         CASE WHEN stage = 'prospect' THEN 0
              ELSE greatest(1, round(1000 * exp(1.15 * z_count)
                                     * ((acquired_days_ago - last_days_ago) / 365.0 + 0.25)))
         END::bigint AS weight
  FROM spanned
), counted AS (
  SELECT *, sum(weight) OVER (ORDER BY rn) AS cumulative, sum(weight) OVER () AS total,
         greatest(0, %(transactions)s - count(*) FILTER (WHERE weight > 0) OVER ()) AS extra
  FROM weighted
)
SELECT rn::int, %(first_id)s - 1 + rn AS id, kind, stage, acquired_days_ago, last_days_ago,
       log_order_size,
       -- every buyer gets one purchase, the rest are shared out by weight (exactly)
       CASE WHEN weight = 0 THEN 0 ELSE 1
         + floor(extra::numeric * cumulative / total)
         - floor(extra::numeric * (cumulative - weight) / total) END::int
         AS purchases
FROM counted
