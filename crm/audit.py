"""Recording important changes: `audit_log(tenant=..., actor=..., action="app.thing.verb", ...)`."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django_scopes import scope

from crm.models import AuditEntry, CrossTenantAccess, Tenant


def user_or_none(actor: Any | None) -> Any | None:
    """The signed-in user to record as the one who did something; None for the system
    (nightly jobs, commands) and for anonymous users."""
    return actor if getattr(actor, "is_authenticated", False) else None


def audit_log(
    *,
    tenant: Tenant,
    actor: Any | None,
    action: str,
    target: models.Model | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEntry:
    """Write one audit entry; `actor` is a user or None for the system (nightly jobs)."""
    # The entry is the given tenant's row, whatever scope the caller is in (an invitation
    # accepted before joining, a cross-tenant job): written in that tenant's scope.
    with scope(tenant=tenant):
        return AuditEntry.objects.create(
            tenant=tenant,
            actor=user_or_none(actor),
            action=action,
            object_type=target._meta.label_lower if target is not None else "",
            object_id=str(target.pk) if target is not None else "",
            data=data or {},
        )


def cross_tenant_access_log(*, reason: str, actor: Any | None) -> CrossTenantAccess:
    """Record one use of the row-level security bypass (crm.rls.all_tenants)."""
    return CrossTenantAccess.objects.create(reason=reason[:200], actor=user_or_none(actor))


def cross_tenant_access_purge(*, now: Any | None = None) -> int:
    """Delete bypass records older than CRM_CROSS_TENANT_ACCESS_RETENTION_DAYS; return how many."""
    cutoff = (now or timezone.now()) - timedelta(
        days=settings.CRM_CROSS_TENANT_ACCESS_RETENTION_DAYS
    )
    deleted, _ = CrossTenantAccess.objects.filter(created_at__lt=cutoff).delete()
    return deleted
