"""The customer-page panel registry.

Other apps (scores, loyalty, campaigns) add panels to the customer page without `customers`
importing them: they call `register_customer_panel(...)` in their AppConfig.ready().
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from django.utils.functional import Promise

from crm.tenancy.permissions import role_has_permission


@dataclass(frozen=True)
class CustomerPanel:
    key: str
    title: str | Promise
    template_name: str
    # (request=, tenant=, customer=) -> the template's context; keep it to one or two queries.
    get_context: Callable[..., dict[str, Any]]
    permission: str = "customers.view"
    # "header": beside the customer's name (keep it to a line or two: badges, a figure).
    column: Literal["main", "side", "header"] = "side"
    order: int = 100


_panels: dict[str, CustomerPanel] = {}


def register_customer_panel(panel: CustomerPanel) -> None:
    _panels[panel.key] = panel


def customer_panels_for(*, request, tenant, customer, role: str | None) -> dict[str, list[dict]]:
    """The panels this role may see, rendered-ready, grouped by column."""
    columns: dict[str, list[dict]] = {"main": [], "side": [], "header": []}
    for panel in sorted(_panels.values(), key=lambda p: p.order):
        if not role_has_permission(role, panel.permission):
            continue
        context = panel.get_context(request=request, tenant=tenant, customer=customer)
        columns[panel.column].append(
            {
                "key": panel.key,
                "title": panel.title,
                "template_name": panel.template_name,
                "context": context,
            }
        )
    return columns
