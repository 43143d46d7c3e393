"""The company's thresholds for the four classes of customer (used by the next recompute)."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from crm.audit import audit_log
from crm.models import Tenant
from segmentation.models import ClassSettings


@transaction.atomic
def class_settings_update(
    *, tenant: Tenant, actor, peak_tiers: int, growth_percent: Decimal, contact_days: int
) -> ClassSettings:
    settings, _created = ClassSettings.objects.with_scopes_disabled().get_or_create(tenant=tenant)
    before = {
        "peak_tiers": settings.peak_tiers,
        "growth_percent": str(settings.growth_percent),
        "contact_days": settings.contact_days,
    }
    settings.peak_tiers = peak_tiers
    settings.growth_percent = growth_percent
    settings.contact_days = contact_days
    settings.full_clean(exclude=["tenant"])
    settings.save()
    audit_log(
        tenant=tenant,
        actor=actor,
        action="segmentation.classes.changed",
        target=settings,
        data={
            "before": before,
            "after": {
                "peak_tiers": peak_tiers,
                "growth_percent": str(growth_percent),
                "contact_days": contact_days,
            },
        },
    )
    return settings
