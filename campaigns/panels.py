"""What campaigns add to the customer page: its contacts on the timeline, and a panel with the
do-not-contact status."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from campaigns.forms import SuppressionForm
from campaigns.models import Recipient, RecipientGroup, Suppression
from crm.tenancy.permissions import role_has_permission


def customer_contacts(*, tenant, customer) -> QuerySet:
    """Every campaign contact of the customer (queued, sent, failed or stopped)."""
    return Recipient.objects.filter(
        tenant=tenant, customer=customer, group=RecipientGroup.TARGET
    ).select_related("campaign")


def customer_panel_context(*, request, tenant, customer) -> dict[str, Any]:
    may_change = role_has_permission(getattr(request, "tenant_role", None), "customers.edit")
    suppression = Suppression.objects.filter(tenant=tenant, customer=customer).first()
    return {
        "customer": customer,
        "suppression": suppression,
        "may_change": may_change,
        "form": SuppressionForm() if may_change and suppression is None else None,
    }
