-- Complaints, suggestions, praise and surveys; surveys carry NPS and satisfaction scores that
-- lean positive; older items are mostly resolved.
INSERT INTO customers_feedback (
  tenant_id, customer_id, kind, nps_score, satisfaction_score, text, status, assignee_id,
  opened_at, resolved_at, resolution, created_by_id)
SELECT %(tenant)s, c.id, x.kind,
  CASE WHEN x.kind = 'survey' THEN least(10, floor(11 * sqrt(r_score)))::int END,
  CASE WHEN x.kind = 'survey' THEN least(5, 1 + floor(5 * sqrt(r_score)))::int
       WHEN x.kind = 'complaint' THEN 1 + floor(r_score * 3)::int END,
  CASE x.kind WHEN 'complaint' THEN (%(complaints)s::text[])[1 + floor(r_text * cardinality(%(complaints)s::text[]))::int]
            WHEN 'suggestion' THEN (%(suggestions)s::text[])[1 + floor(r_text * cardinality(%(suggestions)s::text[]))::int]
            WHEN 'praise' THEN (%(praise)s::text[])[1 + floor(r_text * cardinality(%(praise)s::text[]))::int]
            ELSE (%(surveys)s::text[])[1 + floor(r_text * cardinality(%(surveys)s::text[]))::int] END,
  x.status, CASE WHEN x.kind = 'complaint' THEN c.owner_id END, x.opened_at,
  CASE WHEN x.status = 'resolved'
       THEN least(now(), x.opened_at + (1 + r_text * r_text * 30) * interval '1 day') END,
  CASE WHEN x.status = 'resolved' AND x.kind = 'complaint' THEN 'Müşteri arandı, sorun çözüldü.' ELSE '' END,
  c.owner_id
FROM (
  SELECT f.*, CASE WHEN kind <> 'complaint' AND opened_at < now() - interval '2 days' THEN 'resolved'
                   WHEN opened_at < now() - interval '45 days' AND r_status < 0.97 THEN 'resolved'
                   WHEN r_status < 0.5 THEN 'in_progress' ELSE 'open' END AS status
  FROM (
    SELECT pick.rn, random() AS r_score, random() AS r_text, random() AS r_status,
      (ARRAY['complaint', 'complaint', 'suggestion', 'praise', 'survey', 'survey', 'survey',
             'survey'])[1 + floor(random() * 8)::int] AS kind,
      least(now(), ((current_date - floor(random() * (p.acquired_days_ago + 1))::int)
        + interval '9 hours' + random() * interval '9 hours') AT TIME ZONE 'Europe/Istanbul')
        AS opened_at
    FROM (SELECT 1 + floor(random() * %(customers)s)::int AS rn
          FROM generate_series(1, %(feedback)s)) pick
    JOIN scale_plan p USING (rn)
    WHERE p.stage <> 'prospect'
    OFFSET 0
  ) f
) x
JOIN customers_customer c ON c.tenant_id = %(tenant)s AND c.id = %(first_id)s - 1 + x.rn
