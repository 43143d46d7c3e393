"""Celery tasks: the nightly fan-out (one task per tenant) and the per-tenant job, which
converts leads whose purchase was missed and writes the acquisition summaries."""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError

from acquisition.services import acquisition_summaries_compute, leads_convert_buyers
from crm.models import Tenant
from crm.tasks import TenantTask


@shared_task
def schedule_nightly_acquisition() -> int:
    """Queue tonight's acquisition job for every active tenant."""
    tenant_ids = list(Tenant.objects.filter(is_active=True).values_list("pk", flat=True))
    for tenant_id in tenant_ids:
        acquisition_nightly.delay(tenant_id)
    return len(tenant_ids)


@shared_task(
    base=TenantTask,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=30,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=5,
    acks_late=True,
)
def acquisition_nightly(tenant: Tenant) -> dict[str, int]:
    """Safe to run twice: conversion skips won leads, the summaries replace the last run."""
    converted = leads_convert_buyers(tenant=tenant)
    run = acquisition_summaries_compute(tenant=tenant)
    return {"converted": converted, "run": run.pk}


@shared_task(base=TenantTask, acks_late=True)
def convert_buyers(tenant: Tenant, customer_ids: list[int] | None = None) -> int:
    """Convert the leads of customers who just bought (after an import job: all of them)."""
    return leads_convert_buyers(tenant=tenant, customer_ids=customer_ids)
