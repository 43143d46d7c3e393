-- Tier changes since the campaign started that go down the pyramid; leaving it counts as down.
SELECT tc.customer_id, 'tier:' || tc.id AS occurrence
FROM segmentation_tierchange tc
JOIN segmentation_tier f ON f.id = tc.from_tier_id
LEFT JOIN segmentation_tier t ON t.id = tc.to_tier_id
WHERE tc.tenant_id = %(tenant)s
  AND tc.changed_at >= %(since)s AND tc.changed_at <= %(now)s
  AND (t.id IS NULL OR t.position > f.position)
