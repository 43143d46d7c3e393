"""Celery tasks of the loyalty app: thin wrappers around services, safe to run twice."""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError

from crm.models import Tenant
from crm.tasks import TenantTask, enqueue_on_commit
from loyalty.services.nightly import loyalty_nightly_run

_RETRY = {
    "autoretry_for": (OperationalError, InterfaceError),
    "retry_backoff": 30,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 5,
    "acks_late": True,
}


@shared_task(name="loyalty.tasks.nightly_everywhere")
def nightly_everywhere() -> int:
    """Nightly fan-out: one loyalty run per tenant with an active programme."""
    from loyalty.services.nightly import tenants_with_programme

    tenant_ids = tenants_with_programme()
    for tenant_id in tenant_ids:
        enqueue_on_commit(nightly, tenant_id)
    return len(tenant_ids)


@shared_task(base=TenantTask, name="loyalty.nightly", **_RETRY)
def nightly(tenant: Tenant) -> dict:
    """Refund reversals, pending release, expiry and cashback for one tenant."""
    return loyalty_nightly_run(tenant=tenant)


@shared_task(base=TenantTask, name="loyalty.overview_refresh", **_RETRY)
def overview_refresh(tenant: Tenant) -> float:
    """Recompute the programme overview's figures now (a manager asked); returns the seconds."""
    from loyalty.services.overview import overview_figures_refresh

    return overview_figures_refresh(tenant=tenant).seconds
