"""Celery tasks: the 15-minute beat fan-out and one recompute per tenant (thin wrappers)."""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from crm.models import Tenant
from crm.tasks import TenantTask
from segmentation.services import RecomputeError, nightly_recomputes_schedule, scores_recompute


@shared_task
def schedule_nightly_recomputes() -> int:
    """Queue tonight's run for every tenant whose local time is in the 02:00 hour."""
    return len(nightly_recomputes_schedule(now=timezone.now()))


@shared_task(
    base=TenantTask,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=30,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=5,
    acks_late=True,
)
def recompute_scores(tenant: Tenant, run_id: int | None = None) -> str:
    """Recompute one tenant's scores; `run_id` is the queued ScoreRun to carry out."""
    try:
        return scores_recompute(tenant=tenant, run_id=run_id).status
    except RecomputeError:  # delivered twice: the first delivery has it
        return "taken"
