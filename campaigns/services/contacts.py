"""Contacts made outside the email/SMS sender: calls logged by sales staff, letters exported
for direct mail, SMS handed to the provider's outbox file; and what customers do with the
links (click, unsubscribe)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns.models import (
    Campaign,
    CampaignStatus,
    Channel,
    Recipient,
    RecipientGroup,
    RecipientStatus,
    SmsOutboxMessage,
)
from campaigns.services.errors import CampaignError
from crm.audit import audit_log, user_or_none
from crm.models import Tenant
from customers.models import (
    CONSENT_FIELD_BY_CHANNEL,
    ConsentChannel,
    ConsentSource,
    ContactChannel,
    InteractionOutcome,
)
from customers.services import CustomerError, consent_record, interaction_log

# Call outcomes that count as a conversion (a positive logged outcome).
POSITIVE_OUTCOMES = frozenset({InteractionOutcome.INTERESTED, InteractionOutcome.SALE})
# Call outcomes that mean the customer was not reached.
UNREACHED_OUTCOMES = frozenset({InteractionOutcome.NO_ANSWER})


@transaction.atomic
def call_log(
    *, tenant: Tenant, actor: Any, recipient_id: int, outcome: str, notes: str = ""
) -> Recipient:
    """Log a call from the call list: the recipient leaves the list (queued → sent, claimed
    conditionally, so two people logging the same call record it once) and the call becomes a
    contact on the customer (customers' Interaction, shown on the timeline)."""
    if outcome not in InteractionOutcome.values:
        raise CampaignError(_("Choose the call's outcome."))
    now = timezone.now()
    claimed = Recipient.objects.filter(
        pk=recipient_id,
        tenant=tenant,
        channel=Channel.CALL,
        status=RecipientStatus.QUEUED,
        campaign__status=CampaignStatus.RUNNING,
    ).update(
        status=RecipientStatus.SENT,
        sent_at=now,
        outcome=outcome,
        called_by=user_or_none(actor),
    )
    if not claimed:
        raise CampaignError(_("This call is already logged, or the campaign is not running."))
    recipient = Recipient.objects.select_related("campaign", "customer").get(
        pk=recipient_id, tenant=tenant
    )
    try:
        interaction_log(
            tenant=tenant,
            actor=actor,
            customer=recipient.customer,
            channel=ContactChannel.PHONE,
            subject=_("Campaign call: %(name)s") % {"name": recipient.campaign.name},
            notes=notes,
            outcome=outcome,
            occurred_at=now,
        )
    except CustomerError as error:
        raise CampaignError(str(error)) from error
    audit_log(
        tenant=tenant,
        actor=actor,
        action="campaigns.call.logged",
        target=recipient.campaign,
        data={"customer": recipient.customer_id, "outcome": outcome},
    )
    return recipient


@transaction.atomic
def mail_export_claim(*, tenant: Tenant, actor: Any, campaign: Campaign) -> int:
    """The queued letters become contacts the moment their addresses are exported for the
    printer; returns how many were added to the export (the file lists all of them)."""
    if campaign.status != CampaignStatus.RUNNING:
        return 0
    now = timezone.now()
    claimed = Recipient.objects.filter(
        tenant=tenant, campaign=campaign, channel=Channel.MAIL, status=RecipientStatus.QUEUED
    ).update(status=RecipientStatus.SENT, sent_at=now)
    if claimed:
        audit_log(
            tenant=tenant,
            actor=actor,
            action="campaigns.letters.marked_sent",
            target=campaign,
            data={"letters": claimed},
        )
    return claimed


@transaction.atomic
def sms_outbox_export_mark(*, tenant: Tenant, actor: Any, campaign: Campaign) -> int:
    marked = SmsOutboxMessage.objects.filter(
        tenant=tenant, recipient__campaign=campaign, exported_at__isnull=True
    ).update(exported_at=timezone.now())
    audit_log(
        tenant=tenant,
        actor=actor,
        action="campaigns.sms_outbox.marked_exported",
        target=campaign,
        data={"new_messages": marked},
    )
    return marked


def click_record(*, tenant: Tenant, recipient_id: int) -> str | None:
    """The first click of a contacted recipient is kept; returns where the link leads."""
    recipient = (
        Recipient.objects.filter(tenant=tenant, pk=recipient_id, group=RecipientGroup.TARGET)
        .select_related("campaign")
        .first()
    )
    if recipient is None:
        return None
    Recipient.objects.filter(pk=recipient.pk, clicked_at__isnull=True).update(
        clicked_at=timezone.now()
    )
    return recipient.campaign.offer_url or None


_CONSENT_CHANNEL_BY_CHANNEL = {
    Channel.EMAIL: ConsentChannel.EMAIL,
    Channel.SMS: ConsentChannel.SMS,
    Channel.CALL: ConsentChannel.PHONE,
}


def unsubscribe_target(*, tenant: Tenant, recipient_id: int) -> Recipient | None:
    return (
        Recipient.objects.filter(tenant=tenant, pk=recipient_id, group=RecipientGroup.TARGET)
        .exclude(channel=Channel.MAIL)
        .select_related("campaign", "customer")
        .first()
    )


@transaction.atomic
def unsubscribe(*, tenant: Tenant, recipient: Recipient) -> bool:
    """Withdraw the customer's consent for the channel the message came on, recorded at once
    in their consent history (KVKK/İYS evidence). False when it was already withdrawn."""
    channel = _CONSENT_CHANNEL_BY_CHANNEL[recipient.channel]
    customer = recipient.customer
    customer.refresh_from_db(fields=[CONSENT_FIELD_BY_CHANNEL[channel]])
    if not getattr(customer, CONSENT_FIELD_BY_CHANNEL[channel]):
        return False
    consent_record(
        tenant=tenant,
        actor=None,
        customer=customer,
        channel=channel,
        granted=False,
        source=ConsentSource.WEB_FORM,
        note=_("Unsubscribe link in the campaign “%(name)s”") % {"name": recipient.campaign.name},
    )
    return True
