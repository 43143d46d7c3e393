"""Recording important changes: `audit_log(tenant=..., actor=..., action="app.thing.verb", ...)`."""

from __future__ import annotations

from typing import Any

from django.db import models

from crm.models import AuditEntry, Tenant


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
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        object_type=target._meta.label_lower if target is not None else "",
        object_id=str(target.pk) if target is not None else "",
        data=data or {},
    )
