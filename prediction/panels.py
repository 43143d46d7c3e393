"""Context for the customer page's "Predicted value" panel (customers.panels registry)."""

from __future__ import annotations

from typing import Any

from prediction import selectors


def customer_panel_context(*, request, tenant, customer) -> dict[str, Any]:
    prediction = selectors.customer_prediction(tenant=tenant, customer=customer)
    run = None if prediction is not None else selectors.run_latest(tenant=tenant)
    return {
        "prediction": prediction,
        "run": run,
        "suggestions": selectors.customer_suggestions(tenant=tenant, customer=customer),
        "currency": tenant.currency,
    }
