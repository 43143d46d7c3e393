"""Starting prediction runs: a manager's "predict now", and the nightly fan-out at 01:00 local
(an hour before the score recompute, so scores weighting predicted value read tonight's)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django_scopes import scope

from crm.models import Tenant
from crm.tasks import enqueue_on_commit
from prediction.models import PredictionRun, PredictionStatus, PredictionTrigger

NIGHTLY_HOUR = 1
STALE_AFTER = timedelta(hours=1)


@transaction.atomic
def prediction_run_request(*, tenant: Tenant, requested_by) -> PredictionRun:
    """Queue a live run for today; one already queued or running (recently) is returned."""
    from prediction.tasks import predict

    runs = PredictionRun.objects.with_scopes_disabled()
    pending = (
        runs.filter(
            tenant=tenant,
            status__in=[PredictionStatus.QUEUED, PredictionStatus.RUNNING],
            created_at__gte=timezone.now() - STALE_AFTER,
        )
        .order_by("-created_at")
        .first()
    )
    if pending is not None:
        return pending
    run = runs.create(
        tenant=tenant,
        trigger=PredictionTrigger.MANUAL,
        requested_by=requested_by,
        as_of=timezone.now().astimezone(tenant.zone).date(),
        is_live=True,
    )
    enqueue_on_commit(predict, tenant.pk, run.pk)
    return run


def nightly_predictions_schedule(*, now: datetime) -> list[PredictionRun]:
    """Queue one nightly run per active tenant whose local time is in the 01:00 hour and that
    has none for its local date yet (the unique constraint makes a second call a no-op)."""
    from prediction.tasks import predict

    queued = []
    for tenant in Tenant.objects.filter(is_active=True).order_by("pk"):
        local = now.astimezone(tenant.zone)
        if local.hour != NIGHTLY_HOUR:
            continue
        # The tenant's own rows: in its scope, so row-level security lets them through.
        with scope(tenant=tenant):
            runs = PredictionRun.objects.with_scopes_disabled()
            if runs.filter(
                tenant=tenant, trigger=PredictionTrigger.NIGHTLY, local_date=local.date()
            ).exists():
                continue
            try:
                with transaction.atomic():
                    run = runs.create(
                        tenant=tenant,
                        trigger=PredictionTrigger.NIGHTLY,
                        local_date=local.date(),
                        as_of=local.date(),
                        is_live=True,
                    )
                    enqueue_on_commit(predict, tenant.pk, run.pk)
            except IntegrityError:  # another scheduler got there first
                continue
        queued.append(run)
    return queued


def prediction_nightly(*, tenant: Tenant, run_id: int) -> PredictionRun:
    """The whole nightly step of one tenant: predictions, next-best products, the review."""
    from prediction.services.predict import predictions_run
    from prediction.services.review import relationship_review_refresh
    from prediction.services.suggestions import suggestions_refresh

    run = predictions_run(tenant=tenant, run_id=run_id)
    suggestions_refresh(tenant=tenant)
    relationship_review_refresh(tenant=tenant)
    return run
