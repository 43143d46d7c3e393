"""Leads: entry (by staff, by the public form), the status flow, and the conversion into a
customer — by hand, or by itself at the first completed purchase, exactly once."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from acquisition.models import (
    CHANNEL_BY_SOURCE,
    NEXT_STATUSES,
    Conversion,
    Lead,
    LeadSource,
    LeadStatus,
)
from acquisition.sql import statement
from campaigns.models import Campaign, Objective
from crm.audit import audit_log
from crm.models import Membership, Tenant
from customers.models import ConsentSource, Customer, Interaction, LifecycleStage
from customers.selectors import duplicate_candidates
from customers.services import CustomerError, consent_record, customer_create


class AcquisitionError(Exception):
    """A change the user asked for that cannot be made; the message is for the user."""


LEAD_FIELDS = frozenset(
    {"source", "campaign", "source_detail", "owner", "next_step", "next_step_due", "notes"}
)


def _check_owner(*, tenant: Tenant, owner: Any) -> None:
    if owner is not None and not Membership.objects.filter(tenant=tenant, user=owner).exists():
        raise AcquisitionError(_("The owner must be a member of this company."))


def _check_campaign(*, tenant: Tenant, campaign: Campaign | None) -> None:
    """A lead's campaign is one of its company's acquisition campaigns (the database refuses
    another company's too; this says it in the user's words)."""
    if campaign is None:
        return
    if campaign.tenant_id != tenant.pk:
        raise AcquisitionError(_("The campaign must be one of this company's."))
    if campaign.objective != Objective.ACQUISITION:
        raise AcquisitionError(_("Choose a campaign whose objective is acquisition."))


def _clean_lead_fields(fields: dict[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - LEAD_FIELDS
    if unknown:
        raise TypeError(f"Unknown lead fields: {sorted(unknown)}")
    clean = dict(fields)
    for name in ("source_detail", "next_step"):
        if name in clean:
            clean[name] = " ".join((clean[name] or "").split())
    if "notes" in clean:
        clean["notes"] = (clean["notes"] or "").strip()
    if "source" in clean and clean["source"] not in LeadSource.values:
        raise AcquisitionError(_("Choose where the lead came from."))
    return clean


def _pk(instance: Any) -> int | None:
    return None if instance is None else instance.pk


def _check_next_step(lead: Lead) -> None:
    if lead.next_step_due is not None and not lead.next_step:
        raise AcquisitionError(_("Say what the next step is when you give it a due date."))


@transaction.atomic
def lead_create(
    *,
    tenant: Tenant,
    actor: Any,
    source: str,
    customer: Customer | None = None,
    customer_fields: dict[str, Any] | None = None,
    campaign: Campaign | None = None,
    source_detail: str = "",
    owner: Any = None,
    next_step: str = "",
    next_step_due: date | None = None,
    notes: str = "",
) -> Lead:
    """A new lead: a new prospect customer from `customer_fields`, or an existing prospect
    `customer` (one identity per person) that has no lead yet."""
    clean = _clean_lead_fields(
        {
            "source": source,
            "campaign": campaign,
            "source_detail": source_detail,
            "owner": owner,
            "next_step": next_step,
            "next_step_due": next_step_due,
            "notes": notes,
        }
    )
    _check_owner(tenant=tenant, owner=owner)
    _check_campaign(tenant=tenant, campaign=campaign)
    if customer is None:
        fields = {
            "lifecycle_stage": LifecycleStage.PROSPECT,
            "acquisition_channel": CHANNEL_BY_SOURCE[source],
            "owner": owner,
            **(customer_fields or {}),
        }
        try:
            customer = customer_create(tenant=tenant, actor=actor, **fields)
        except CustomerError as exc:
            raise AcquisitionError(str(exc)) from exc
    else:
        if customer.tenant_id != tenant.pk:
            raise AcquisitionError(_("The customer does not belong to this company."))
        if customer.lifecycle_stage != LifecycleStage.PROSPECT:
            raise AcquisitionError(
                _("%(name)s is already a customer, not a prospect.") % {"name": customer}
            )
        if Lead.objects.filter(tenant=tenant, customer=customer).exists():
            raise AcquisitionError(_("%(name)s is already a lead.") % {"name": customer})
    lead = Lead(tenant=tenant, customer=customer, **clean)
    _check_next_step(lead)
    lead.save()
    audit_log(
        tenant=tenant,
        actor=actor,
        action="acquisition.lead.created",
        target=lead,
        data={
            "customer": customer.pk,
            "source": source,
            "campaign": lead.campaign_id,
            "source_detail": lead.source_detail,
        },
    )
    return lead


def _locked(*, tenant: Tenant, lead: Lead) -> Lead:
    if lead.tenant_id != tenant.pk:
        raise AcquisitionError(_("The lead does not belong to this company."))
    return Lead.objects.select_for_update().select_related("customer").get(pk=lead.pk)


@transaction.atomic
def lead_update(*, tenant: Tenant, actor: Any, lead: Lead, **fields: Any) -> Lead:
    """Change the lead's source, campaign, source detail, owner, next step, due date or
    notes."""
    clean = _clean_lead_fields(fields)
    if "owner" in clean:
        _check_owner(tenant=tenant, owner=clean["owner"])
    lead = _locked(tenant=tenant, lead=lead)
    if "campaign" in clean and _pk(clean["campaign"]) != lead.campaign_id:
        # A campaign kept as it was stays, even if its objective has changed since.
        _check_campaign(tenant=tenant, campaign=clean["campaign"])
    before = {name: getattr(lead, name) for name in clean}
    for name, value in clean.items():
        setattr(lead, name, value)
    _check_next_step(lead)
    lead.save()
    changed = sorted(name for name in clean if before[name] != getattr(lead, name))
    if changed:
        audit_log(
            tenant=tenant,
            actor=actor,
            action="acquisition.lead.updated",
            target=lead,
            data={"fields": changed},
        )
    return lead


@transaction.atomic
def lead_status_change(
    *, tenant: Tenant, actor: Any, lead: Lead, status: str, reason: str = ""
) -> Lead:
    """Move the lead along new → contacted → qualified → won / lost (with a reason); a lost
    lead can be reopened as new. Winning by hand converts it (see lead_convert)."""
    if status == LeadStatus.WON:
        return lead_convert(tenant=tenant, actor=actor, lead=lead)
    lead = _locked(tenant=tenant, lead=lead)
    if status not in NEXT_STATUSES[lead.status]:
        raise AcquisitionError(
            _("A lead cannot go from %(from)s to %(to)s.")
            % {"from": lead.get_status_display(), "to": _status_label(status)}
        )
    reason = reason.strip()
    if status == LeadStatus.LOST and not reason:
        raise AcquisitionError(_("Say why the lead was lost."))
    old = lead.status
    lead.status = status
    lead.lost_reason = reason if status == LeadStatus.LOST else ""
    lead.status_changed_at = timezone.now()
    lead.save(update_fields=["status", "lost_reason", "status_changed_at"])
    audit_log(
        tenant=tenant,
        actor=actor,
        action="acquisition.lead.status_changed",
        target=lead,
        data={"from": old, "to": status, "reason": lead.lost_reason},
    )
    return lead


def _status_label(status: str) -> str:
    try:
        return str(LeadStatus(status).label)
    except ValueError:
        return status


@transaction.atomic
def lead_convert(*, tenant: Tenant, actor: Any, lead: Lead) -> Lead:
    """Win the lead by hand: it becomes a customer (stage "new"), keeping its history, source
    and campaign. Refused for a lead that is already won, so it happens once."""
    lead = _locked(tenant=tenant, lead=lead)
    if lead.status == LeadStatus.WON:
        raise AcquisitionError(_("This lead is already won."))
    now = timezone.now()
    old = lead.status
    lead.status = LeadStatus.WON
    lead.converted_at = now
    lead.conversion = Conversion.MANUAL
    lead.status_changed_at = now
    lead.save(update_fields=["status", "converted_at", "conversion", "status_changed_at"])
    customer = lead.customer
    changes: dict[str, Any] = {}
    if customer.lifecycle_stage == LifecycleStage.PROSPECT:
        changes["lifecycle_stage"] = LifecycleStage.NEW
    if customer.acquired_on is None:
        changes["acquired_on"] = timezone.localdate(now, tenant.zone)
    if changes:
        Customer.objects.filter(pk=customer.pk, tenant=tenant).update(updated_at=now, **changes)
    audit_log(
        tenant=tenant,
        actor=actor,
        action="acquisition.lead.converted",
        target=lead,
        data={"conversion": Conversion.MANUAL, "customer": customer.pk, "from": old},
    )
    return lead


def leads_convert_buyers(*, tenant: Tenant, customer_ids: Iterable[int] | None = None) -> int:
    """Convert, in one statement, every not-won lead whose customer has a completed purchase
    (only those of `customer_ids` when given): the purchase hook after a sale or an import, and
    the nightly job that catches anything missed. Returns how many leads it converted; running
    it again converts none."""
    ids = None if customer_ids is None else sorted({int(pk) for pk in customer_ids})
    if ids == []:
        return 0
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            statement("convert_buyers"),
            {"tenant_id": tenant.pk, "customer_ids": ids, "zone": tenant.timezone},
        )
        return len(cursor.fetchall())


# --- the public lead form ------------------------------------------------------------------


@transaction.atomic
def lead_capture(
    *,
    tenant: Tenant,
    customer_fields: dict[str, Any],
    consents: dict[str, bool],
    message: str = "",
    campaign: Campaign | None = None,
    source_detail: str = "",
) -> Lead | None:
    """A lead from the company's public form (nobody signed in): one identity per person.

    Someone already known by email, phone or tax number is not created twice: a prospect
    without a lead gets one, and anyone else gets the enquiry logged as an inbound contact.
    Every channel the person opted into is recorded in their consent history (source: web
    form). Returns the lead, or None when the person was already a lead or a customer.
    """
    with translation.override(tenant.default_language):  # notes in the company's language
        enquiry, opted_in = _("Enquiry from the web form"), _("Opted in on the lead form")
    known = duplicate_candidates(
        tenant=tenant,
        email=customer_fields.get("email", ""),
        phone=customer_fields.get("phone", ""),
        tax_number=customer_fields.get("tax_number", ""),
    )
    lead = None
    if known:
        customer = known[0].customer
        has_lead = Lead.objects.filter(tenant=tenant, customer=customer).exists()
        if customer.lifecycle_stage == LifecycleStage.PROSPECT and not has_lead:
            lead = lead_create(
                tenant=tenant,
                actor=None,
                source=LeadSource.WEB_FORM,
                customer=customer,
                campaign=campaign,
                source_detail=source_detail,
                notes=message,
            )
        else:
            Interaction.objects.create(
                tenant=tenant,
                customer=customer,
                channel="web",
                direction="inbound",
                subject=enquiry,
                notes=message.strip(),
            )
    else:
        lead = lead_create(
            tenant=tenant,
            actor=None,
            source=LeadSource.WEB_FORM,
            customer_fields=customer_fields,
            campaign=campaign,
            source_detail=source_detail,
            notes=message,
        )
        customer = lead.customer
    for channel, granted in consents.items():
        if granted:
            consent_record(
                tenant=tenant,
                actor=None,
                customer=customer,
                channel=channel,
                granted=True,
                source=ConsentSource.WEB_FORM,
                note=opted_in,
            )
    audit_log(
        tenant=tenant,
        actor=None,
        action="acquisition.lead.captured",
        target=customer,
        data={
            "lead": lead.pk if lead else None,
            "known": bool(known),
            "consents": sorted(c for c, g in consents.items() if g),
        },
    )
    return lead
