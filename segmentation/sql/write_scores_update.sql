-- Only rows whose values changed are rewritten: a second run on the same data writes nothing.
-- (CustomerScore's fillfactor 50 and its indexes on stable columns keep these HOT updates.)
UPDATE segmentation_customerscore cs
SET run_id = %(run)s, status = n.status, score = n.score, rank = n.rank,
    percentile = n.percentile, computed_tier_id = n.computed_tier_id, tier_id = n.tier_id,
    is_pinned = n.is_pinned, raw_values = n.raw_values,
    normalised_values = n.normalised_values, contributions = n.contributions
FROM (
    SELECT f.*, {raw_array} AS raw_values,
           coalesce(s.normalised_values, '{{}}') AS normalised_values,
           coalesce(s.contributions, '{{}}') AS contributions
    FROM seg_final f
    JOIN seg_raw r ON r.customer_id = f.customer_id
    LEFT JOIN seg_scored s ON s.customer_id = f.customer_id
    WHERE f.existed
) n
WHERE cs.customer_id = n.customer_id AND cs.tenant_id = %(tenant)s
  AND (cs.status, cs.score, cs.rank, cs.percentile, cs.computed_tier_id, cs.tier_id,
       cs.is_pinned, cs.raw_values, cs.normalised_values, cs.contributions)
      IS DISTINCT FROM
      (n.status, n.score, n.rank, n.percentile, n.computed_tier_id, n.tier_id,
       n.is_pinned, n.raw_values, n.normalised_values, n.contributions)
