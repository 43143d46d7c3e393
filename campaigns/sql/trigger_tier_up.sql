-- Tier changes (nightly recompute, pins) since the campaign started that go up the pyramid
-- (position 1 is the peak); entering the pyramid from outside counts as up.
SELECT tc.customer_id, 'tier:' || tc.id AS occurrence
FROM segmentation_tierchange tc
LEFT JOIN segmentation_tier f ON f.id = tc.from_tier_id
JOIN segmentation_tier t ON t.id = tc.to_tier_id
WHERE tc.tenant_id = %(tenant)s
  AND tc.changed_at >= %(since)s AND tc.changed_at <= %(now)s
  AND (f.id IS NULL OR t.position < f.position)
