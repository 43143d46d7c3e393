-- Step 2: normalise each key over the active customers and turn it into score points.
-- Each percentile key sorts only (customer_id, value) pairs; min/max come from one aggregate.
-- Output is narrow (no arrays): the wide row is assembled once, in step 3.
CREATE TEMP TABLE seg_scored ON COMMIT DROP AS
WITH active AS MATERIALIZED (
    SELECT customer_id {values}
    FROM seg_raw
    WHERE status = 'active'
), bounds AS (
    SELECT 1 AS one {bounds}
    FROM active
){rank_ctes}, normalised AS (
    SELECT a.customer_id
         {normalised}
    FROM active a
    CROSS JOIN bounds b
    {rank_joins}
), points AS (
    SELECT customer_id {normalised_columns}
         {contributions}
    FROM normalised
)
SELECT customer_id,
       round(({score})::numeric, 4) AS score,
       {normalised_array} AS normalised_values,
       {contribution_array} AS contributions
FROM points
