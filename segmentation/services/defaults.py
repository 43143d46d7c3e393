"""A tenant's starting configuration: the default value keys and the four-tier pyramid."""

from __future__ import annotations

from django.db import transaction

from crm.models import Tenant
from segmentation.defaults import DEFAULT_TIERS, DEFAULT_VALUE_KEYS
from segmentation.models import Tier, ValueKey


@transaction.atomic
def segmentation_defaults_ensure(*, tenant: Tenant) -> bool:
    """Give the tenant the default keys if it has none, and the default tiers if it has none.

    Returns whether anything was created. Keys and tiers are checked separately, so an admin's
    own tiers are never topped up with defaults (and vice versa).
    """
    created = False
    keys = ValueKey.objects.with_scopes_disabled().filter(tenant=tenant)
    if not keys.exists():
        ValueKey.objects.with_scopes_disabled().bulk_create(
            ValueKey(tenant=tenant, order=index * 10, **values)
            for index, values in enumerate(DEFAULT_VALUE_KEYS, start=1)
        )
        created = True
    if not Tier.objects.with_scopes_disabled().filter(tenant=tenant).exists():
        Tier.objects.with_scopes_disabled().bulk_create(
            Tier(tenant=tenant, **values) for values in DEFAULT_TIERS
        )
        created = True
    return created
