"""The tenant-aware Celery task base and the on-commit enqueue helper.

Tasks take ids only, tenant id first; the base looks the tenant up and runs the task body
inside its scope, so a task can never work on every tenant by accident.
"""

from __future__ import annotations

from typing import Any

from celery import Task, shared_task
from django.db import transaction
from django_scopes import scope

from crm.audit import audit_log, cross_tenant_access_purge
from crm.models import Tenant


class TenantTask(Task):
    abstract = True

    def __call__(self, tenant_id: int, *args: Any, **kwargs: Any) -> Any:
        tenant = Tenant.objects.get(pk=tenant_id)
        with scope(tenant=tenant):
            return super().__call__(tenant, *args, **kwargs)


def enqueue_on_commit(task: Task, *args: Any, **kwargs: Any) -> None:
    """Send the task once the current transaction commits (never inside an open one)."""
    transaction.on_commit(lambda: task.apply_async(args=args, kwargs=kwargs))


@shared_task(base=TenantTask, name="crm.tasks.ping")
def ping(tenant: Tenant, note: str = "") -> int:
    """Leave a "crm.celery.ping" audit entry: proves a worker reaches the tenant's data.

    `manage.py shell -c "from crm.tasks import ping; ping.delay(<tenant id>)"` checks a
    deployment's worker end to end; the test suite sends it to a real worker.
    """
    entry = audit_log(tenant=tenant, actor=None, action="crm.celery.ping", data={"note": note})
    return entry.pk


@shared_task(name="crm.tasks.purge_cross_tenant_access")
def purge_cross_tenant_access() -> int:
    """Nightly: forget bypass records past their retention (not tenant-owned: no scope needed)."""
    return cross_tenant_access_purge()
