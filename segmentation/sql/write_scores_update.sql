-- Only rows whose values changed are rewritten: a second run on the same data writes nothing.
UPDATE segmentation_customerscore cs
SET run_id = %(run)s, status = f.status, score = f.score, rank = f.rank,
    percentile = f.percentile, computed_tier_id = f.computed_tier_id, tier_id = f.tier_id,
    is_pinned = f.is_pinned, raw_values = f.raw_values,
    normalised_values = f.normalised_values, contributions = f.contributions
FROM seg_final f
WHERE cs.customer_id = f.customer_id AND f.changed
