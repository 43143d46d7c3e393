"""The acquisition app's SQL, in one place: each statement in a .sql file next to this module,
parameterised with psycopg's %(name)s.

- convert_buyers.sql: every lead of a tenant that is not won and has a completed purchase
  becomes won (conversion "purchase", converted at its first purchase), once: the UPDATE's
  `status <> 'won'` is re-checked under the row lock, so a purchase hook and the nightly job
  running at the same moment convert a lead once between them. Its customer leaves the
  "prospect" stage for "new" and gets its acquisition date; one audit entry per lead.
- cohort_summaries.sql / value_summaries.sql: the nightly acquisition figures.
  A customer's acquisition start is the lead's creation (or, without a lead, the acquisition
  date, else the customer's creation), its cohort the month of that start in the tenant's time
  zone, its channel the customer's acquisition channel and its campaign the lead's.
  A buyer has a completed purchase; days to first purchase run from the start to it (never
  negative). After N months (3, 6, 12) counts the buyers whose first purchase is at least N
  months old: their revenue in the N months from the first purchase, their current score, and
  the best (highest) tier they reached by then according to the tier history.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

SQL_DIR = Path(__file__).parent


@cache
def statement(name: str) -> str:
    return (SQL_DIR / f"{name}.sql").read_text()
