"""What acquisition does when customers buy (customers.events): a lead converts at its first
completed purchase."""

from __future__ import annotations

from django_scopes import scope

from acquisition.services import leads_convert_buyers
from acquisition.tasks import convert_buyers
from crm.models import Tenant
from customers.events import TransactionsRecorded, recorded_transactions


def convert_on_purchase(event: TransactionsRecorded) -> None:
    """A sale converts its customer's lead at once (one small UPDATE, so the customer page
    shows it); an import job's purchases are converted by a task, set-based over the tenant.
    Converting is idempotent, so an import announced twice converts nobody twice."""
    if event.import_job_id is not None:
        convert_buyers.delay(event.tenant_id, None)
        return
    tenant = Tenant.objects.get(pk=event.tenant_id)
    with scope(tenant=tenant):
        sales = recorded_transactions(event).values_list("customer_id", flat=True)
        leads_convert_buyers(tenant=tenant, customer_ids=set(sales.order_by()))
