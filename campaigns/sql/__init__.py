"""The campaigns' SQL, in one place: the statements are the .sql files next to this module.

Everything is parameterised (psycopg `%(name)s`); the only interpolation is the choice of the
priority expression and the trigger's audience query, both our own code.

Starting a campaign (or evaluating a trigger) is two statements:

1. `CREATE TEMP TABLE campaign_audience` from the audience (a segment's members, a tier, a
   lifecycle stage, or a trigger's new occurrences): the frozen list of (customer_id,
   occurrence, score), one row per customer for a start.
2. `recipients_insert.sql`: one INSERT ... SELECT writing one Recipient row per audience member,
   with the rules applied in this order, each one a reason recorded on the row:
   archived → terminated relationship → do-not-contact list → no reachable channel (consent per
   channel and contact data; the first channel of the campaign's preference order wins) →
   frequency cap (contacts across campaigns in the tenant's period) → control split → budget.
   The control split is md5(campaign:customer:occurrence) mod 10,000 < percent × 100: random
   across customers, the same every time. The budget keeps the most valuable customers (by
   score, or by expected margin for up-sell and cross-sell) until the cumulative cost of those
   to be contacted passes the budget; control customers ranked beyond that point are left out
   too, so the control group stays comparable with the contacted group.

Both run with the whole-tenant planner settings (crm/whole_tenant.py: no nested loops, no JIT)
after stale statistics of the tables read are refreshed: with the recipients table analyzed
while empty, the planner once chose a nested loop over the earlier campaigns' 100,000 contacts
× 200,000 audience members (minutes instead of seconds).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

SQL_DIR = Path(__file__).parent

# What the audience is ranked by when the budget runs short.
PRIORITY_BY_SCORE = "COALESCE(a.score, 0)"
PRIORITY_BY_MARGIN = "COALESCE(m.margin, 0)"


@cache
def statement(name: str) -> str:
    """A static statement from campaigns/sql/<name>.sql."""
    return (SQL_DIR / f"{name}.sql").read_text()


# A trigger's new occurrences may race a concurrent evaluation; a campaign's start writes into
# a campaign that has no rows yet (claimed scheduled → running in the same transaction), where
# ON CONFLICT's speculative insertion would only cost.
ON_CONFLICT_SKIP = "ON CONFLICT (campaign_id, customer_id, occurrence) DO NOTHING"


def recipients_insert(*, by_margin: bool, triggered: bool) -> str:
    """A start's audience has one row per customer; a trigger's may have several occurrences
    of one customer, counted once against the cap (and may race a concurrent evaluation)."""
    return (
        statement("recipients_insert")
        .replace("{priority}", PRIORITY_BY_MARGIN if by_margin else PRIORITY_BY_SCORE)
        .replace("{on_conflict}", ON_CONFLICT_SKIP if triggered else "")
        .replace(
            "{audience_customers}",
            "(SELECT DISTINCT customer_id FROM campaign_audience)"
            if triggered
            else "campaign_audience",
        )
    )


def trigger_audience(trigger: str) -> str:
    """The SELECT (customer_id, occurrence) of a trigger's occurrences since the campaign
    started that have no recipient row yet."""
    return statement(f"trigger_{trigger}")
