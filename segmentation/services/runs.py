"""Starting recomputes: a manager's "recalculate now", and the nightly fan-out at 02:00 local;
and telling a live run from a dead one.

A running recompute holds its tenant's session advisory lock (services/recompute.py) from before
its run is claimed until after its outcome is saved. PostgreSQL frees the lock the moment the
worker's connection ends, so a run that says "running" while nobody holds the lock belongs to a
worker that died (SIGKILL, out of memory, a lost machine): it is marked failed at once instead
of blocking "Recalculate now" for STALE_AFTER.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scope

from crm.models import Tenant
from crm.tasks import enqueue_on_commit
from segmentation.models import RunStatus, RunTrigger, ScoreRun

NIGHTLY_HOUR = 2
# A queued run that no worker has picked up for this long is not waited for any more.
STALE_AFTER = timedelta(hours=1)
# pg_locks shows a two-key advisory lock as classid = first key, objid = second, objsubid = 2.
RECOMPUTE_LOCK_HELD_SQL = """
    SELECT EXISTS (
        SELECT 1 FROM pg_locks
        WHERE locktype = 'advisory' AND granted AND database = (
            SELECT oid FROM pg_database WHERE datname = current_database()
        )
        AND classid = %s AND objid = %s AND objsubid = 2
    )
"""


def recompute_lock_held(*, tenant: Tenant) -> bool:
    """Whether some session (a worker, a command) is recomputing the tenant right now."""
    from segmentation.services.recompute import RECOMPUTE_LOCK_CLASS

    with connection.cursor() as cursor:
        cursor.execute(RECOMPUTE_LOCK_HELD_SQL, [RECOMPUTE_LOCK_CLASS, tenant.pk])
        return bool(cursor.fetchone()[0])


def dead_runs_fail(*, tenant: Tenant) -> int:
    """Mark failed, with the reason, the tenant's runs that say "running" while no session holds
    its recompute lock; return how many. Their transaction was rolled back with the connection,
    so the previous scores are whole.

    One statement: a worker takes the lock before its run says "running", so a run this
    statement's snapshot sees running had its lock taken before the lock check runs.
    """
    from segmentation.services.recompute import RECOMPUTE_LOCK_CLASS

    reason = _(
        "Stopped: the worker running this calculation ended without finishing it "
        "(it was stopped or lost its database connection). The previous scores are kept."
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE {ScoreRun._meta.db_table}
            SET status = %s, error = %s, finished_at = %s
            WHERE tenant_id = %s AND status = %s AND NOT ({RECOMPUTE_LOCK_HELD_SQL})
            """,
            [
                RunStatus.FAILED,
                reason,
                timezone.now(),
                tenant.pk,
                RunStatus.RUNNING,
                RECOMPUTE_LOCK_CLASS,
                tenant.pk,
            ],
        )
        return cursor.rowcount


@transaction.atomic
def score_run_request(*, tenant: Tenant, requested_by) -> ScoreRun:
    """Queue a recompute now; the task starts once this transaction commits.

    A live running run, or a run queued less than STALE_AFTER ago, is returned instead of
    queueing a second one; a run whose worker died is marked failed first.
    """
    from segmentation.tasks import recompute_scores

    dead_runs_fail(tenant=tenant)
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
        # The tenant's own rows: in its scope, so row-level security lets them through.
        with scope(tenant=tenant):
            runs = ScoreRun.objects.with_scopes_disabled()
            if runs.filter(
                tenant=tenant, trigger=RunTrigger.NIGHTLY, local_date=local_date
            ).exists():
                continue
            try:
                with transaction.atomic():
                    run = runs.create(
                        tenant=tenant, trigger=RunTrigger.NIGHTLY, local_date=local_date
                    )
                    enqueue_on_commit(recompute_scores, tenant.pk, run.pk)
            except IntegrityError:  # another scheduler got there first
                continue
        queued.append(run)
    return queued
