"""What this app adds to other pages: the lead and the preference link on the customer page,
the rep's next lead steps on the home page."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from acquisition import selectors
from acquisition.links import preference_path
from crm.tenancy.permissions import role_has_permission


def home_leads_context(*, request, tenant) -> dict[str, Any]:
    today = timezone.localdate(timezone=tenant.zone)
    return {
        "leads": selectors.next_steps_of(tenant=tenant, user=request.user, today=today),
        "today": today,
    }


def customer_panel_context(*, request, tenant, customer) -> dict[str, Any]:
    may_share = role_has_permission(getattr(request, "tenant_role", None), "customers.edit")
    link = ""
    if may_share and customer.archived_at is None:
        link = request.build_absolute_uri(preference_path(tenant=tenant, customer=customer))
    return {
        "lead": selectors.lead_of_customer(tenant=tenant, customer=customer),
        "preference_link": link,
    }
