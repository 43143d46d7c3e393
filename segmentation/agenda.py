"""The rep's agenda on the home page, segmentation's part: high-value customers (the top tiers)
the rep owns who have not been contacted for the company's number of days."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db.models import F, Q
from django.utils import timezone

from crm.models import Tenant
from customers.selectors import agenda_settings
from segmentation.models import CustomerScore, Tier

AGENDA_LIMIT = 5


def quiet_high_value_customers(
    *, tenant: Tenant, user, now: datetime | None = None, limit: int = AGENDA_LIMIT
) -> dict[str, Any]:
    """The user's customers in the top `high_value_tiers` tiers with no contact for
    `quiet_days` (AgendaSettings), longest silence first, and the list URL's filter for all."""
    rules = agenda_settings(tenant=tenant)
    since = (now or timezone.now()) - timedelta(days=rules.quiet_days)
    tiers = list(
        Tier.objects.filter(tenant=tenant, position__lte=rules.high_value_tiers).order_by(
            "position"
        )
    )
    scores = (
        CustomerScore.objects.filter(
            tenant=tenant,
            tier__in=tiers,
            customer__owner=user,
            customer__archived_at__isnull=True,
        )
        .filter(
            Q(customer__activity__last_contact_at__lt=since)
            | Q(customer__activity__last_contact_at__isnull=True)
        )
        .select_related("customer", "customer__activity", "tier")
        .order_by(F("customer__activity__last_contact_at").asc(nulls_first=True), "customer_id")
    )
    return {
        "quiet_days": rules.quiet_days,
        "tiers": tiers,
        "customers": list(scores[:limit]) if tiers else [],
    }


def home_quiet_customers_context(*, request, tenant: Tenant) -> dict[str, Any]:
    return quiet_high_value_customers(tenant=tenant, user=request.user)
