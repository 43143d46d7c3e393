"""Contexts for what this app adds to other pages: the customer panel and the home section."""

from __future__ import annotations

from typing import Any

from crm.tenancy.permissions import role_has_permission
from segmentation import selectors
from segmentation.models import CustomerScore


def customer_score_of_page(*, request, tenant, customer) -> CustomerScore | None:
    """The customer's score with its tiers, read once per request: the customer page shows it
    in the header, in this app's panel and in the loyalty panel (its tier)."""
    if request is None:
        return selectors.customer_score(tenant=tenant, customer=customer)
    scores = request.__dict__.setdefault("_customer_scores", {})
    key = (tenant.pk, customer.pk)
    if key not in scores:
        scores[key] = selectors.customer_score(tenant=tenant, customer=customer)
    return scores[key]


def customer_panel_context(*, request, tenant, customer) -> dict[str, Any]:
    """ "Why is this customer Altın?": score, rank, tier, each key's share, history, pin."""
    may_pin = role_has_permission(getattr(request, "tenant_role", None), "customers.pin_tier")
    return {
        "customer": customer,
        "score": customer_score_of_page(request=request, tenant=tenant, customer=customer),
        "contributions": selectors.customer_contributions(tenant=tenant, customer=customer),
        "history": selectors.customer_tier_history(tenant=tenant, customer=customer),
        "pin": selectors.customer_active_pin(tenant=tenant, customer=customer),
        "may_pin": may_pin,
    }


def home_pyramid_context(*, request, tenant) -> dict[str, Any]:
    run = selectors.run_last_succeeded(tenant=tenant)
    return {"run": run, "levels": selectors.pyramid(tenant=tenant, run=run)}
