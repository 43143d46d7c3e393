"""The tenant's contact rules (frequency cap) and do-not-contact list."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from campaigns.models import ContactRules, Suppression
from campaigns.services.errors import CampaignError
from crm.audit import audit_log, user_or_none
from crm.models import Tenant
from customers.models import Customer


def contact_rules_for(*, tenant: Tenant) -> ContactRules:
    """The tenant's rules; the defaults (3 contacts per 30 days) until someone changes them."""
    rules, _created = ContactRules.objects.get_or_create(tenant=tenant)
    return rules


@transaction.atomic
def contact_rules_update(
    *, tenant: Tenant, actor: Any, max_contacts: int, period_days: int
) -> ContactRules:
    if max_contacts < 1 or period_days < 1:
        raise CampaignError(_("The cap needs at least one contact in at least one day."))
    rules = contact_rules_for(tenant=tenant)
    rules = ContactRules.objects.select_for_update().get(pk=rules.pk)
    before = {"max_contacts": rules.max_contacts, "period_days": rules.period_days}
    rules.max_contacts = max_contacts
    rules.period_days = period_days
    rules.save()
    audit_log(
        tenant=tenant,
        actor=actor,
        action="campaigns.rules.changed",
        target=rules,
        data={
            "before": before,
            "after": {"max_contacts": max_contacts, "period_days": period_days},
        },
    )
    return rules


def suppression_add(*, tenant: Tenant, actor: Any, customer: Customer, reason: str) -> Suppression:
    if customer.tenant_id != tenant.id:
        raise CampaignError(_("The customer does not belong to this company."))
    if not reason.strip():
        raise CampaignError(_("Say why the customer must not be contacted."))
    try:
        with transaction.atomic():
            entry = Suppression.objects.create(
                tenant=tenant,
                customer=customer,
                reason=reason.strip(),
                created_by=user_or_none(actor),
            )
            audit_log(
                tenant=tenant,
                actor=actor,
                action="campaigns.suppression.added",
                target=customer,
                data={"reason": entry.reason},
            )
    except IntegrityError as exc:
        raise CampaignError(_("This customer is already on the do-not-contact list.")) from exc
    return entry


@transaction.atomic
def suppression_remove(*, tenant: Tenant, actor: Any, customer: Customer) -> None:
    deleted, _rows = Suppression.objects.filter(tenant=tenant, customer=customer).delete()
    if not deleted:
        raise CampaignError(_("This customer is not on the do-not-contact list."))
    audit_log(tenant=tenant, actor=actor, action="campaigns.suppression.removed", target=customer)
