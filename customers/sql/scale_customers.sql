INSERT INTO customers_customer (
  id, tenant_id, kind, first_name, last_name, company_name, email, phone, address, city, region,
  country, industry, tax_number, acquisition_channel, acquired_on, referred_by_id, owner_id,
  lifecycle_stage, termination_reason, tags, birthday, preferred_channel, preferred_language,
  consent_email, consent_sms, consent_phone, external_id, notes, archived_at, created_at,
  updated_at)
SELECT id, %(tenant)s, kind,
  CASE WHEN kind = 'person' THEN (%(first_names)s::text[])[fn] ELSE '' END,
  CASE WHEN kind = 'person' THEN (%(last_names)s::text[])[ln] ELSE '' END,
  CASE WHEN kind = 'company'
       THEN CASE WHEN r_word < 0.5 THEN (%(last_names)s::text[])[ln]
                 ELSE (%(company_words)s::text[])[w] END
            || ' ' || (%(industry_words)s::text[])[ind] || ' ' || (%(suffixes)s::text[])[suf]
       ELSE '' END,
  CASE WHEN r_email < 0.12 THEN ''
       WHEN kind = 'company' THEN 'satis' || rn || '@'
         || CASE WHEN r_word < 0.5 THEN (%(last_ascii)s::text[])[ln]
                 ELSE (%(company_ascii)s::text[])[w] END
         || '-' || (%(industry_ascii)s::text[])[ind] || '.com.tr'
       ELSE (%(first_ascii)s::text[])[fn] || '.' || (%(last_ascii)s::text[])[ln] || rn || '@'
            || (%(domains)s::text[])[dom] END,
  CASE WHEN r_phone < 0.1 THEN ''
       ELSE '+90' || (%(mobile_prefixes)s::text[])[mp] || lpad(floor(r_number * 10000000)::text, 7, '0')
       END,
  (%(streets)s::text[])[st] || ' No: ' || (1 + floor(r_number * 180))::int,
  (%(provinces)s::text[])[pv], (%(regions)s::text[])[pv], 'TR',
  CASE WHEN kind = 'company' THEN (%(industries)s::text[])[ind] ELSE '' END,
  CASE WHEN r_tax >= 0.3 THEN ''
       WHEN kind = 'company' THEN pg_temp.scale_vkn((r_number * 999999999)::bigint)
       ELSE pg_temp.scale_tckn(100000000 + (r_number * 899999999)::bigint) END,
  channel, (current_date - acquired_days_ago),
  CASE WHEN channel = 'referral' THEN %(first_id)s - 1 + 1 + floor(r_referrer * (rn - 1))::int END,
  CASE WHEN cardinality(%(owners)s::bigint[]) > 0 AND r_owner < 0.9
       THEN (%(owners)s::bigint[])[1 + floor(r_owner / 0.9 * cardinality(%(owners)s::bigint[]))::int]
       END,
  stage, CASE WHEN stage = 'terminated' THEN (%(termination_reasons)s::text[])[tr] ELSE '' END,
  CASE WHEN r_tags < 0.75 THEN '{}'::varchar[]
       WHEN r_tags < 0.93 THEN ARRAY[(%(tags)s::text[])[t1]]::varchar[]
       ELSE ARRAY[(%(tags)s::text[])[t1], (%(tags)s::text[])[1 + (t1 %% cardinality(%(tags)s::text[]))]]::varchar[]
       END,
  CASE WHEN kind = 'person' AND r_birthday < 0.6
       THEN DATE '1950-01-01' + floor(r_birthday / 0.6 * 18250)::int END,
  (ARRAY['phone', 'email', 'sms', 'visit', 'web', ''])[1 + floor(r_pref * 6)::int],
  CASE WHEN r_pref < 0.04 THEN 'en' ELSE 'tr' END,
  r_consent < 0.55, r_consent < 0.40 OR r_consent > 0.92, r_consent < 0.20,
  'C' || lpad((%(external_offset)s + rn)::text, 8, '0'), '',
  CASE WHEN r_archived < 0.01 THEN now() - r_archived * interval '20 days' END,
  least(now(), (current_date - acquired_days_ago) + interval '9 hours' + r_number * interval '9 hours'),
  now()
FROM (
  SELECT p.*,
    random() AS r_word, random() AS r_email, random() AS r_phone, random() AS r_number,
    random() AS r_tax, random() AS r_referrer, random() AS r_owner, random() AS r_tags,
    random() AS r_birthday, random() AS r_pref, random() AS r_consent, random() AS r_archived,
    1 + floor(random() * cardinality(%(first_names)s::text[]))::int AS fn,
    1 + floor(random() * cardinality(%(last_names)s::text[]))::int AS ln,
    1 + floor(random() * cardinality(%(company_words)s::text[]))::int AS w,
    1 + floor(random() * cardinality(%(industries)s::text[]))::int AS ind,
    1 + floor(random() * cardinality(%(suffixes)s::text[]))::int AS suf,
    1 + floor(random() * cardinality(%(domains)s::text[]))::int AS dom,
    1 + floor(random() * cardinality(%(mobile_prefixes)s::text[]))::int AS mp,
    1 + floor(random() * cardinality(%(streets)s::text[]))::int AS st,
    1 + floor(random() * cardinality(%(provinces)s::text[]))::int AS pv,
    1 + floor(random() * cardinality(%(termination_reasons)s::text[]))::int AS tr,
    1 + floor(random() * cardinality(%(tags)s::text[]))::int AS t1,
    CASE WHEN p.rn > 1 AND random() < 0.12 THEN 'referral'
         ELSE (ARRAY['web', 'web', 'social', 'advertising', 'field_sales', 'store', 'store',
                     'event', 'partner', 'other'])[1 + floor(random() * 10)::int] END AS channel
  FROM scale_plan p
  OFFSET 0
) r
