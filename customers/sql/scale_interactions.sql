INSERT INTO customers_interaction (
  tenant_id, customer_id, channel, direction, occurred_at, subject, notes, outcome, user_id,
  created_at)
SELECT %(tenant)s, c.id, ch, CASE WHEN r_dir < 0.35 THEN 'inbound' ELSE 'outbound' END,
  when_at, (%(subjects)s::text[])[subj], '',
  (ARRAY['reached', 'no_answer', 'interested', 'not_interested', 'follow_up', 'sale',
         'complaint', 'info_given', ''])[1 + floor(r_out * 9)::int],
  c.owner_id, when_at
FROM (
  SELECT pick.rn, random() AS r_dir, random() AS r_out,
    1 + floor(random() * cardinality(%(subjects)s::text[]))::int AS subj,
    (ARRAY['phone', 'phone', 'phone', 'email', 'email', 'sms', 'visit', 'meeting', 'web',
           'social'])[1 + floor(random() * 10)::int] AS ch,
    least(now(), ((current_date - floor(random() * (p.acquired_days_ago + 1))::int)
      + interval '9 hours' + random() * interval '9 hours') AT TIME ZONE 'Europe/Istanbul')
      AS when_at
  FROM (SELECT 1 + floor(random() * %(customers)s)::int AS rn
        FROM generate_series(1, %(interactions)s)) pick
  JOIN scale_plan p USING (rn)
  OFFSET 0
) i
JOIN customers_customer c ON c.tenant_id = %(tenant)s AND c.id = %(first_id)s - 1 + i.rn
