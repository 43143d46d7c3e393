"""Acquisition costs: what a channel (and campaign) cost in a month, entered by a manager."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from acquisition.models import AcquisitionCost
from campaigns.models import Campaign, Objective
from crm.audit import audit_log, user_or_none
from crm.models import Tenant
from customers.models import AcquisitionChannel


class CostError(Exception):
    """A cost that cannot be recorded; the message is for the user."""


@transaction.atomic
def acquisition_cost_set(
    *,
    tenant: Tenant,
    actor: Any,
    month: date,
    channel: str,
    amount: Decimal,
    campaign: Campaign | None = None,
    note: str = "",
) -> AcquisitionCost:
    """Record the month's cost of a channel (and one of the company's acquisition campaigns);
    entering it again replaces it."""
    if channel not in AcquisitionChannel.values:
        raise CostError(_("Choose a channel."))
    amount = Decimal(amount)
    if amount < 0:
        raise CostError(_("A cost cannot be negative."))
    if campaign is not None and (
        campaign.tenant_id != tenant.pk or campaign.objective != Objective.ACQUISITION
    ):
        raise CostError(_("Choose one of this company's acquisition campaigns."))
    month = month.replace(day=1)
    cost, created = AcquisitionCost.objects.update_or_create(
        tenant=tenant,
        month=month,
        channel=channel,
        campaign=campaign,
        defaults={"amount": amount, "note": note.strip(), "entered_by": user_or_none(actor)},
    )
    audit_log(
        tenant=tenant,
        actor=actor,
        action="acquisition.cost.set",
        target=cost,
        data={
            "month": month.isoformat(),
            "channel": channel,
            "campaign": cost.campaign_id,
            "amount": str(amount),
            "created": created,
        },
    )
    return cost


@transaction.atomic
def acquisition_cost_delete(*, tenant: Tenant, actor: Any, cost: AcquisitionCost) -> None:
    if cost.tenant_id != tenant.pk:
        raise CostError(_("The cost does not belong to this company."))
    data = {
        "month": cost.month.isoformat(),
        "channel": cost.channel,
        "campaign": cost.campaign_id,
        "amount": str(cost.amount),
    }
    AcquisitionCost.objects.filter(pk=cost.pk, tenant=tenant).delete()
    audit_log(tenant=tenant, actor=actor, action="acquisition.cost.deleted", data=data)
