"""Starting recomputes: a manager's "recalculate now", and the nightly fan-out at 02:00 local."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from crm.models import Tenant
from crm.tasks import enqueue_on_commit
from segmentation.models import RunStatus, RunTrigger, ScoreRun

NIGHTLY_HOUR = 2
STALE_AFTER = timedelta(hours=1)


@transaction.atomic
def score_run_request(*, tenant: Tenant, requested_by) -> ScoreRun:
    """Queue a recompute now; the task starts once this transaction commits.

    A run queued or running (for less than STALE_AFTER: a worker that died leaves its run
    "running" forever) is returned instead of queueing a second one.
    """
    from segmentation.tasks import recompute_scores

    pending = (
        ScoreRun.objects.with_scopes_disabled()
        .filter(
            tenant=tenant,
            status__in=[RunStatus.QUEUED, RunStatus.RUNNING],
            created_at__gte=timezone.now() - STALE_AFTER,
        )
        .order_by("-created_at")
        .first()
    )
    if pending is not None:
        return pending
    run = ScoreRun.objects.with_scopes_disabled().create(
        tenant=tenant, trigger=RunTrigger.MANUAL, requested_by=requested_by
    )
    enqueue_on_commit(recompute_scores, tenant.pk, run.pk)
    return run


def tenants_due_for_nightly(*, now: datetime) -> list[tuple[Tenant, object]]:
    """Active tenants whose local time is in the 02:00 hour, with their local date."""
    due = []
    for tenant in Tenant.objects.filter(is_active=True).order_by("pk"):
        local = now.astimezone(tenant.zone)
        if local.hour == NIGHTLY_HOUR:
            due.append((tenant, local.date()))
    return due


def nightly_recomputes_schedule(*, now: datetime) -> list[ScoreRun]:
    """Queue one nightly run per due tenant that has none for its local date yet.

    Safe to call every 15 minutes: the unique (tenant, local_date) constraint on nightly runs
    makes a second call in the same hour queue nothing.
    """
    from segmentation.tasks import recompute_scores

    queued = []
    for tenant, local_date in tenants_due_for_nightly(now=now):
        runs = ScoreRun.objects.with_scopes_disabled()
        if runs.filter(tenant=tenant, trigger=RunTrigger.NIGHTLY, local_date=local_date).exists():
            continue
        try:
            with transaction.atomic():
                run = runs.create(tenant=tenant, trigger=RunTrigger.NIGHTLY, local_date=local_date)
                enqueue_on_commit(recompute_scores, tenant.pk, run.pk)
        except IntegrityError:  # another scheduler got there first
            continue
        queued.append(run)
    return queued
