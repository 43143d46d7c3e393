"""The sales staff's section of the tenant home page: three small, indexed queries."""

from __future__ import annotations

from typing import Any

from customers import selectors


def sales_home_context(*, request, tenant) -> dict[str, Any]:
    return {
        "my_feedback": selectors.open_feedback_assigned_to(tenant=tenant, user=request.user),
        "my_follow_ups": selectors.follow_ups_of(tenant=tenant, user=request.user),
        "recent_customers": selectors.recent_customers(tenant=tenant),
    }
