-- Customers whose birthday is today in the tenant's time zone (29 February on 28 February in
-- other years); one occurrence per year.
SELECT c.id AS customer_id, 'birthday:' || extract(year FROM %(today)s::date)::int AS occurrence
FROM customers_customer c
WHERE c.tenant_id = %(tenant)s
  AND c.birthday IS NOT NULL
  AND (
      to_char(c.birthday, 'MM-DD') = to_char(%(today)s::date, 'MM-DD')
      OR (to_char(c.birthday, 'MM-DD') = '02-29'
          AND to_char(%(today)s::date, 'MM-DD') = '02-28'
          AND to_char(%(today)s::date + 1, 'MM-DD') = '03-01')
  )
