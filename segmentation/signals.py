"""Extension hook: a new tenant gets the default value keys and tiers (the service does it)."""

from __future__ import annotations

from django_scopes import scope

from crm.models import Tenant


def tenant_created(sender, instance: Tenant, created: bool, raw: bool = False, **kwargs) -> None:
    if created and not raw:
        from segmentation.services import segmentation_defaults_ensure

        # The new tenant's own rows: written in its scope (row-level security, crm/rls.py).
        with scope(tenant=instance):
            segmentation_defaults_ensure(tenant=instance)
