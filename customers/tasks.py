"""Celery tasks of the customers app: thin wrappers around services."""

from __future__ import annotations

from celery import shared_task

from crm.models import Tenant
from crm.tasks import TenantTask, enqueue_on_commit
from customers.activity import customer_activity_refresh
from customers.importing.service import import_files_purge, import_job_run


@shared_task(base=TenantTask, name="customers.import_job_process", acks_late=True)
def import_job_process(tenant: Tenant, job_id: int) -> str:
    """Run one queued CSV import; running it twice is harmless (the job is claimed first)."""
    job = import_job_run(tenant=tenant, job_id=job_id)
    return "skipped" if job is None else job.status


@shared_task(name="customers.tasks.purge_import_files_everywhere")
def purge_import_files_everywhere() -> int:
    """Nightly fan-out: one purge task per active tenant."""
    tenant_ids = list(Tenant.objects.filter(is_active=True).values_list("pk", flat=True))
    for tenant_id in tenant_ids:
        enqueue_on_commit(purge_import_files, tenant_id)
    return len(tenant_ids)


@shared_task(base=TenantTask, name="customers.purge_import_files")
def purge_import_files(tenant: Tenant) -> int:
    return import_files_purge(tenant=tenant)


@shared_task(base=TenantTask, name="customers.refresh_customer_activity", acks_late=True)
def refresh_customer_activity(tenant: Tenant) -> int:
    """Last purchase, last contact and 12-month revenue of every customer of the tenant."""
    return customer_activity_refresh(tenant=tenant)


@shared_task(name="customers.tasks.refresh_customer_activity_everywhere")
def refresh_customer_activity_everywhere() -> int:
    """Nightly fan-out (the revenue window moves): one refresh task per active tenant."""
    tenant_ids = list(Tenant.objects.filter(is_active=True).values_list("pk", flat=True))
    for tenant_id in tenant_ids:
        enqueue_on_commit(refresh_customer_activity, tenant_id)
    return len(tenant_ids)
