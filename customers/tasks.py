"""Celery tasks of the customers app: thin wrappers around services."""

from __future__ import annotations

from celery import shared_task

from crm.models import Tenant
from crm.tasks import TenantTask
from customers.importing.service import import_job_run


@shared_task(base=TenantTask, name="customers.import_job_process", acks_late=True)
def import_job_process(tenant: Tenant, job_id: int) -> str:
    """Run one queued CSV import; running it twice is harmless (the job is claimed first)."""
    job = import_job_run(tenant=tenant, job_id=job_id)
    return "skipped" if job is None else job.status
