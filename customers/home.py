"""The sales staff's section of the tenant home page: a few small, indexed queries."""

from __future__ import annotations

from typing import Any

from customers import selectors


def sales_home_context(*, request, tenant) -> dict[str, Any]:
    """The rep's day: follow-ups due (overdue first), complaints waiting on them (overdue
    marked by the company's rule), and the customers added last."""
    return {
        "agenda": selectors.follow_up_agenda(tenant=tenant, user=request.user),
        "my_feedback": selectors.open_feedback_assigned_to(tenant=tenant, user=request.user),
        "feedback_overdue_before": selectors.feedback_overdue_before(tenant=tenant),
        "recent_customers": selectors.recent_customers(tenant=tenant),
    }
