"""The tenant-aware Celery task base and the on-commit enqueue helper.

Tasks take ids only, tenant id first; the base looks the tenant up and runs the task body
inside its scope, so a task can never work on every tenant by accident.
"""

from __future__ import annotations

from typing import Any

from celery import Task
from django.db import transaction
from django_scopes import scope

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
