"""Next-best product: co-purchase rules per tenant and each customer's top 3 products and
categories not bought yet, in set-based SQL (prediction/sql/copurchase_*.sql); and the hit-rate
measurement against the "most popular products" baseline."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import connection, transaction
from django.utils import timezone

from crm.models import Tenant
from prediction import sql
from prediction.services.predict import local_day_end

# A rule needs this many customers who bought both items: fewer is anecdote, not pattern.
MIN_CUSTOMERS = 5
RULES_PER_ITEM = 10


def _build(*, tenant: Tenant, until: datetime, min_customers: int) -> dict[str, float]:
    seconds: dict[str, float] = {}
    params = {
        "tenant": tenant.pk,
        "until": until,
        "min_customers": min_customers,
        "rules_per_item": RULES_PER_ITEM,
    }
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL work_mem = '256MB'")
        for name in ("copurchase_items", "copurchase_rules"):
            started = time.perf_counter()
            cursor.execute(sql.statement(name), params)
            cursor.execute(f"ANALYZE {'pred_items' if name.endswith('items') else 'pred_rules'}")
            seconds[name.removeprefix("copurchase_")] = round(time.perf_counter() - started, 3)
        started = time.perf_counter()
        cursor.execute("DELETE FROM prediction_productsuggestion WHERE tenant_id = %s", [tenant.pk])
        cursor.execute(sql.statement("copurchase_suggestions"), params)
        seconds["suggestions"] = round(time.perf_counter() - started, 3)
    return seconds


@transaction.atomic
def suggestions_refresh(
    *, tenant: Tenant, as_of: date | None = None, min_customers: int = MIN_CUSTOMERS
) -> dict[str, float]:
    """Replace the tenant's suggestions by those from purchases up to `as_of` (today)."""
    as_of = as_of or timezone.now().astimezone(tenant.zone).date()
    seconds = _build(
        tenant=tenant, until=local_day_end(tenant=tenant, day=as_of), min_customers=min_customers
    )
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS pred_items, pred_rules")
    return seconds


@dataclass(frozen=True)
class HitRate:
    buyers: int  # customers with history who bought a product in the holdout
    model_hits: int
    baseline_hits: int
    with_suggestions: int

    @property
    def model(self) -> float:
        return self.model_hits / self.buyers if self.buyers else 0.0

    @property
    def baseline(self) -> float:
        return self.baseline_hits / self.buyers if self.buyers else 0.0


def suggestion_hit_rate(
    *, tenant: Tenant, cutoff: date, days: int = 30, min_customers: int = MIN_CUSTOMERS
) -> HitRate:
    """Suggest from purchases before `cutoff`, then check the next `days` days' purchases.

    Runs in a transaction that is rolled back: the live suggestions are left as they were.
    """
    until = datetime.combine(cutoff, datetime.min.time(), tzinfo=tenant.zone)
    with transaction.atomic():
        _build(tenant=tenant, until=until, min_customers=min_customers)
        with connection.cursor() as cursor:
            cursor.execute(
                sql.statement("hit_rate"),
                {"tenant": tenant.pk, "until": until, "holdout_until": until + timedelta(days)},
            )
            result = HitRate(*cursor.fetchone())
            cursor.execute("DROP TABLE IF EXISTS pred_items, pred_rules")
        transaction.set_rollback(True)
    return result
