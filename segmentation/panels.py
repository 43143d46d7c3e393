"""Contexts for what this app adds to other pages: the customer panel and the home section."""

from __future__ import annotations

from typing import Any

from crm.tenancy.permissions import role_has_permission
from segmentation import selectors


def customer_panel_context(*, request, tenant, customer) -> dict[str, Any]:
    """ "Why is this customer Altın?": score, rank, tier, each key's share, history, pin."""
    may_pin = role_has_permission(getattr(request, "tenant_role", None), "customers.pin_tier")
    return {
        "customer": customer,
        "score": selectors.customer_score(tenant=tenant, customer=customer),
        "contributions": selectors.customer_contributions(tenant=tenant, customer=customer),
        "history": selectors.customer_tier_history(tenant=tenant, customer=customer),
        "pin": selectors.customer_active_pin(tenant=tenant, customer=customer),
        "may_pin": may_pin,
    }


def home_pyramid_context(*, request, tenant) -> dict[str, Any]:
    run = selectors.run_last_succeeded(tenant=tenant)
    return {"run": run, "levels": selectors.pyramid(tenant=tenant, run=run)}
