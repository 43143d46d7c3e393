-- TCKN: 9 digits (first non-zero), then the two check digits (as python-stdnum computes them).
CREATE OR REPLACE FUNCTION pg_temp.scale_tckn(base bigint) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT base::text || c1::text || ((c1 + s) % 10)::text
  FROM (
    SELECT (10 - (sum(CASE WHEN i % 2 = 0 THEN 3 ELSE 1 END * d) % 10)) % 10 AS c1, sum(d) AS s
    FROM (SELECT i, (base / (10 ^ (8 - i))::bigint) % 10 AS d FROM generate_series(0, 8) i) x
  ) y
$$;
-- VKN: 9 digits, then the check digit.
CREATE OR REPLACE FUNCTION pg_temp.scale_vkn(base bigint) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT lpad(base::text, 9, '0') || ((10 - sum(v) % 10) % 10)::text
  FROM (
    SELECT CASE WHEN c = 0 THEN 0 WHEN (c * (2 ^ i)::int) % 9 = 0 THEN 9
                ELSE (c * (2 ^ i)::int) % 9 END AS v
    FROM (SELECT i, ((base / (10 ^ (i - 1))::bigint) % 10 + i) % 10 AS c
          FROM generate_series(1, 9) i) x
  ) y
$$;
