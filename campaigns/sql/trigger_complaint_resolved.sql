-- Complaints resolved since the campaign started; one occurrence per complaint.
SELECT f.customer_id, 'complaint:' || f.id AS occurrence
FROM customers_feedback f
WHERE f.tenant_id = %(tenant)s
  AND f.kind = 'complaint' AND f.status = 'resolved'
  AND f.resolved_at >= %(since)s AND f.resolved_at <= %(now)s
