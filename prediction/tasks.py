"""Celery tasks: the 15-minute beat fan-out and one nightly prediction step per tenant (thin)."""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from crm.models import Tenant
from crm.tasks import TenantTask
from prediction.services import PredictionError, nightly_predictions_schedule, prediction_nightly


@shared_task
def schedule_nightly_predictions() -> int:
    """Queue tonight's prediction run for every tenant whose local time is in the 01:00 hour."""
    return len(nightly_predictions_schedule(now=timezone.now()))


@shared_task(
    base=TenantTask,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=30,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=5,
    acks_late=True,
)
def predict(tenant: Tenant, run_id: int) -> str:
    """Carry out a queued prediction run, then refresh suggestions and the review."""
    try:
        return prediction_nightly(tenant=tenant, run_id=run_id).status
    except PredictionError:  # delivered twice: the first delivery has it
        return "taken"


@shared_task(base=TenantTask, acks_late=True)
def run_backtest(tenant: Tenant, backtest_id: int) -> str:
    """Carry out a queued back-test."""
    from prediction.services.backtest import backtest_run

    try:
        return backtest_run(tenant=tenant, backtest_id=backtest_id).status
    except PredictionError:
        return "taken"
