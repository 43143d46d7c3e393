-- The evidence behind each consent flag: when (at acquisition) and how it was given.
INSERT INTO customers_consentrecord (
  tenant_id, customer_id, channel, granted, recorded_at, source, note, recorded_by_id)
SELECT c.tenant_id, c.id, ch.channel, true, c.created_at,
  (ARRAY['web_form', 'signed_form', 'phone_call', 'email_reply', 'iys', 'in_store'])
    [1 + (c.id %% 6)::int], '', c.owner_id
FROM customers_customer c
CROSS JOIN LATERAL (VALUES ('email', c.consent_email), ('sms', c.consent_sms),
                           ('phone', c.consent_phone)) AS ch (channel, given)
WHERE c.tenant_id = %(tenant)s AND c.id BETWEEN %(first_id)s AND %(last_id)s AND ch.given
