"""The programme overview's figures, computed from the whole ledger in one statement and kept
in one row per company (OverviewFigures), by the nightly run or when a manager asks; the page
shows them with their "as of" time instead of aggregating the ledger on every load."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from crm.models import Tenant
from crm.tasks import enqueue_on_commit
from crm.whole_tenant import whole_tenant_planning
from loyalty import sql
from loyalty.models import OverviewFigures

MONTHS_SHOWN = 12
_LEDGER_SUMS = ("issued", "redeemed", "expired", "reversed")


def _empty_tier(tier_id: int | None) -> dict[str, Any]:
    return {"tier": tier_id, "members": 0, **dict.fromkeys(_LEDGER_SUMS, 0), "outstanding": 0}


@transaction.atomic
def overview_figures_refresh(*, tenant: Tenant, now: datetime | None = None) -> OverviewFigures:
    """Aggregate the ledger and the balances (one statement, one snapshot) and store them."""
    started = time.perf_counter()
    with whole_tenant_planning(), connection.cursor() as cursor:
        cursor.execute(sql.OVERVIEW_FIGURES, {"tenant": tenant.pk, "tz": tenant.timezone})
        rows = cursor.fetchall()
    totals: dict[str, int] = {
        "members": 0, **dict.fromkeys(_LEDGER_SUMS, 0), "available": 0, "pending": 0
    }  # fmt: skip
    tiers: dict[int | None, dict[str, Any]] = {}
    months = []
    for part, g, tier_id, month, *ledger_sums, members, available, pending in rows:
        sums = {name: int(value) for name, value in zip(_LEDGER_SUMS, ledger_sums, strict=True)}
        # GROUPING bits: 1 = month rolled up, 2 = tier rolled up (ledger); 1 = tier (balances).
        if part == "ledger" and g == 3:  # the whole ledger
            totals.update(sums)
        elif part == "ledger" and g == 1:  # by tier
            tiers.setdefault(tier_id, _empty_tier(tier_id)).update(sums)
        elif part == "ledger":  # by month
            months.append({"month": month.isoformat(), **sums})
        elif g == 1:  # the balances of every member
            totals.update(members=int(members), available=int(available), pending=int(pending))
        else:  # the balances by tier
            row = tiers.setdefault(tier_id, _empty_tier(tier_id))
            row.update(members=int(members), outstanding=int(available) + int(pending))
    months.sort(key=lambda row: row["month"], reverse=True)
    figures, _created = OverviewFigures.objects.update_or_create(
        tenant=tenant,
        defaults={
            "computed_at": now or timezone.now(),
            "seconds": round(time.perf_counter() - started, 3),
            "totals": totals,
            "by_tier": list(tiers.values()),
            "by_month": months[:MONTHS_SHOWN],
        },
    )
    return figures


def overview_figures_request(*, tenant: Tenant) -> None:
    """Have the figures computed again by a worker (once the current transaction commits)."""
    from loyalty.tasks import overview_refresh

    enqueue_on_commit(overview_refresh, tenant.pk)
