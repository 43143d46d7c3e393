"""The nightly acquisition summaries: one run per tenant replaces the previous one, so the
report reads a few hundred rows instead of scanning customers and purchases."""

from __future__ import annotations

import time
from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone

from acquisition.models import SummaryRun
from acquisition.sql import statement
from crm.models import Tenant

# First key of the two-key advisory lock: "acquisition summaries"; the second is the tenant.
SUMMARY_LOCK_CLASS = 72_001


@transaction.atomic
def acquisition_summaries_compute(*, tenant: Tenant, now: datetime | None = None) -> SummaryRun:
    """Write the tenant's cohort, value and campaign-cost summaries as of `now` and drop older
    runs, in one transaction (the report never sees half a run); a second run of the same
    tenant waits."""
    now = now or timezone.now()
    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s::int)", [SUMMARY_LOCK_CLASS, tenant.pk])
    run = SummaryRun.objects.create(tenant=tenant, computed_at=now)
    params = {"tenant_id": tenant.pk, "run_id": run.pk, "zone": tenant.timezone, "now": now}
    with connection.cursor() as cursor:
        cursor.execute(statement("cohort_summaries"), params)
        cursor.execute(statement("value_summaries"), params)
        cursor.execute(statement("campaign_costs"), params)
    SummaryRun.objects.filter(tenant=tenant).exclude(pk=run.pk).delete()
    run.seconds = round(time.monotonic() - started, 3)
    run.save(update_fields=["seconds"])
    return run
