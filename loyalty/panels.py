"""The customer-page panel: balance, pending, tier benefits, expiring soon, recent entries,
rewards to redeem and a coupon form."""

from __future__ import annotations

from typing import Any

from crm.tenancy.permissions import role_has_permission
from loyalty.forms import CouponForm
from loyalty.selectors import customer_loyalty
from segmentation.panels import customer_score_of_page


def customer_panel_context(*, request, tenant, customer) -> dict[str, Any]:
    role = getattr(request, "tenant_role", None)
    return {
        "customer": customer,
        "loyalty": customer_loyalty(
            tenant=tenant,
            customer=customer,
            # The score the header and the scores panel show, read once for the page.
            score=customer_score_of_page(request=request, tenant=tenant, customer=customer),
        ),
        "may_redeem": role_has_permission(role, "loyalty.redeem"),
        "may_adjust": role_has_permission(role, "loyalty.adjust"),
        "coupon_form": CouponForm(),
    }
