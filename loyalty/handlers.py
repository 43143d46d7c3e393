"""Loyalty's handler on customers' transactions-recorded hook (customers/events.py)."""

from __future__ import annotations

from django_scopes import scope

from crm.models import Tenant
from customers.events import TransactionsRecorded
from loyalty.services.ledger import points_earn


def earn_on_recorded(event: TransactionsRecorded) -> None:
    """Earn at once: a sale's points show on the page that recorded it, and an import's
    earning is one more set-based statement at the end of the import (its task, if
    delivered twice, earns nothing more). The nightly run catches up on a failure here."""
    tenant = Tenant.objects.get(pk=event.tenant_id)
    with scope(tenant=tenant):
        points_earn(
            tenant=tenant,
            transaction_ids=event.transaction_ids,
            import_job_id=event.import_job_id,
        )
