"""The nightly loyalty run of one tenant: each step is its own transaction and idempotent,
so a run that crashed halfway is simply run again."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import connection
from django.utils import timezone

from crm.models import Tenant
from crm.rls import all_tenants
from loyalty.models import Programme
from loyalty.services.cashback import cashback_award_all
from loyalty.services.ledger import (
    points_earn,
    points_expire,
    points_release,
    points_reverse_refunded,
)
from loyalty.services.overview import overview_figures_refresh

# The safety net re-earns the purchases of these last days (already earned ones are skipped).
CATCH_UP = timedelta(days=3)


def tenants_with_programme() -> list[int]:
    with all_tenants(reason="loyalty: tenants with an active programme"):
        return list(
            Programme.objects.filter(is_active=True, tenant__is_active=True)
            .values_list("tenant_id", flat=True)
            .order_by("tenant_id")
        )


def loyalty_nightly_run(*, tenant: Tenant, now: datetime | None = None) -> dict:
    """Earn what a failed hook missed, reverse refunded purchases (inside their return
    window that cancels pending points), release, expire, award last period's cashback, and
    compute the overview's figures as of the end of the run."""
    now = now or timezone.now()
    # One nightly run per tenant at a time (a redelivered task waits, then finds nothing).
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s, %s)", [7410, tenant.pk])
    try:
        done = {
            "earned": points_earn(tenant=tenant, occurred_since=now - CATCH_UP).entries,
            "reversed": points_reverse_refunded(tenant=tenant),
            "released": points_release(tenant=tenant, now=now),
            "expired": points_expire(tenant=tenant, now=now),
            "cashback": cashback_award_all(
                tenant=tenant, today=timezone.localtime(now, tenant.zone).date()
            ),
        }
        overview_figures_refresh(tenant=tenant)
        return done
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [7410, tenant.pk])
