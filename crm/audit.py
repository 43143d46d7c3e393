"""Recording important changes: `audit_log(tenant=..., actor=..., action="app.thing.verb", ...)`."""

from __future__ import annotations

from typing import Any

from django.db import models

from crm.models import AuditEntry, Tenant


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
    return AuditEntry.objects.with_scopes_disabled().create(
        tenant=tenant,
        actor=user_or_none(actor),
        action=action,
        object_type=target._meta.label_lower if target is not None else "",
        object_id=str(target.pk) if target is not None else "",
        data=data or {},
    )
