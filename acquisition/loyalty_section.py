"""The loyalty section of the customer's preference page: points available and pending,
points expiring within 30 days, and the latest entries of the statement with the running
balance — read through the loyalty app's selectors. Registered by acquisition only when the
loyalty app is installed (the loyalty app may take this registration over)."""

from __future__ import annotations

from typing import Any

from crm.models import Tenant
from customers.models import Customer

STATEMENT_LINES = 10


def loyalty_preference_context(*, tenant: Tenant, customer: Customer) -> dict[str, Any] | None:
    from loyalty.selectors import customer_loyalty, member_statement

    summary = customer_loyalty(tenant=tenant, customer=customer, recent=0)
    if summary.programme is None or summary.member is None:
        return None
    # The newest lines; the window sums run over the whole ledger before the LIMIT.
    statement = list(
        member_statement(tenant=tenant, member=summary.member).order_by("-created_at", "-id")[
            :STATEMENT_LINES
        ]
    )
    return {
        "programme": summary.programme,
        "member": summary.member,
        "expiring_soon": summary.expiring_soon,
        "statement": statement,
    }
