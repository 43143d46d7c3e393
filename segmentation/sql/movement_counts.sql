-- The migration matrix between an earlier run (since) and the latest run: customers whose tier
-- changed in between (recompute changes of the runs after `since`, pins made between the two
-- runs), by the tier they had at `since` (the first change's "from") and the tier the latest run
-- gave them (the stored facts). Customers without a change are on the diagonal; the caller
-- takes them from the latest run's tier counts.
SELECT first.from_tier_id, f.tier_id, count(*)
FROM (
    SELECT DISTINCT ON (tc.customer_id) tc.customer_id, tc.from_tier_id
    FROM segmentation_tierchange tc
    WHERE tc.tenant_id = %(tenant)s
      AND ((tc.run_id > %(since)s AND tc.run_id <= %(run)s)
           OR (tc.run_id IS NULL AND tc.changed_at > %(since_at)s
               AND tc.changed_at <= %(run_at)s))
    ORDER BY tc.customer_id, tc.changed_at, tc.id
) first
JOIN segmentation_customerfacts f
  ON f.customer_id = first.customer_id AND f.tenant_id = %(tenant)s
GROUP BY first.from_tier_id, f.tier_id
