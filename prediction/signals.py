"""A new company gets its prediction settings row with the defaults (editable in the admin)."""

from __future__ import annotations

from typing import Any

from django_scopes import scope


def tenant_created(sender: Any, instance: Any, created: bool, raw: bool = False, **kwargs: Any):
    if created and not raw:
        from prediction.services import settings_for

        # The new tenant's own rows: written in its scope (row-level security, crm/rls.py).
        with scope(tenant=instance):
            settings_for(tenant=instance)
