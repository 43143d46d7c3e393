"""Sending a running campaign's emails and SMS in batches, never twice to anyone.

- A batch is claimed with one conditional UPDATE (queued → sending, `FOR UPDATE SKIP LOCKED`)
  and committed before anything is sent: two workers, a retried task or a double click never
  get the same message.
- Messages are sent in id order, and marked sent (sending → sent) every MARK_EVERY messages
  the backend accepted (one commit per group: a commit per message waits for the disk each
  time and halved the rate). If the worker is killed, its claim's rows still "sending" are, in
  id order: at most MARK_EVERY that may have gone out, then the ones never tried.
  `stalled_sends_recover` marks the first MARK_EVERY failed ("not resent, so nobody gets it
  twice") and puts the rest back in the queue: a kill may cost up to MARK_EVERY − 1 unsent
  messages, never a second one.
- A temporary failure (SMTP error, network) puts the message back with an exponential backoff
  (1, 2, 4, 8 minutes); after MAX_ATTEMPTS it is failed.
- Consent, do-not-contact and the relationship are checked again just before each message:
  a withdrawal after the start stops the message (status "not sent", reason recorded).
"""

from __future__ import annotations

import contextlib
import smtplib
import time
from datetime import datetime, timedelta

from django.core.mail import get_connection
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext

from campaigns.models import (
    Campaign,
    CampaignStatus,
    Channel,
    ExclusionReason,
    Recipient,
    RecipientStatus,
    Suppression,
)
from campaigns.rendering import OfferExtras, offer_email, offer_sms
from campaigns.sms import SmsMessage, get_sms_backend
from crm.models import Tenant
from customers.models import CONSENT_FIELD_BY_CHANNEL, Customer, LifecycleStage
from loyalty.models import Member
from loyalty.services import LoyaltyError
from loyalty.services.coupons import coupon_issue
from loyalty.services.ledger import points_adjust

BATCH_SIZE = 100
# Sent messages are marked in groups of this many (one commit each instead of one per message:
# a commit waits for the disk). A killed worker leaves at most this many accepted messages
# unmarked, all among the lowest ids of its claim still "sending".
MARK_EVERY = 20
MAX_ATTEMPTS = 5
RETRY_BASE = timedelta(minutes=1)
STALLED_AFTER = timedelta(minutes=10)
SENT_BY_WORKER = (Channel.EMAIL, Channel.SMS)
TEMPORARY_ERRORS = (smtplib.SMTPException, OSError)

_CLAIM = """
UPDATE campaigns_recipient
SET status = 'sending', sending_at = %(now)s, attempts = attempts + 1
WHERE id IN (
    SELECT id FROM campaigns_recipient
    WHERE campaign_id = %(campaign)s AND tenant_id = %(tenant)s
      AND status = 'queued' AND channel = ANY(%(channels)s)
      AND (next_attempt_at IS NULL OR next_attempt_at <= %(now)s)
    ORDER BY id
    LIMIT %(limit)s
    FOR UPDATE SKIP LOCKED
)
RETURNING id
"""

_RECOVER = """
WITH stuck AS (
    SELECT id, row_number() OVER (PARTITION BY campaign_id, sending_at ORDER BY id) AS position
    FROM campaigns_recipient
    WHERE tenant_id = %(tenant)s AND status = 'sending' AND sending_at < %(cutoff)s
)
UPDATE campaigns_recipient r
SET status = CASE WHEN s.position <= %(possibly_sent)s THEN 'failed' ELSE 'queued' END,
    last_error = CASE WHEN s.position <= %(possibly_sent)s THEN %(message)s ELSE r.last_error END,
    attempts = CASE WHEN s.position <= %(possibly_sent)s THEN r.attempts ELSE r.attempts - 1 END
FROM stuck s
WHERE r.id = s.id
RETURNING s.position <= %(possibly_sent)s
"""

INTERRUPTED = (
    "The worker stopped after handing messages to the backend without recording them; this one "
    "may have gone out, so it is not sent again (nobody gets a message twice)."
)


def _claim(*, tenant: Tenant, campaign: Campaign, now: datetime, limit: int) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            _CLAIM,
            {
                "now": now,
                "campaign": campaign.pk,
                "tenant": tenant.pk,
                "channels": list(SENT_BY_WORKER),
                "limit": limit,
            },
        )
        return sorted(row[0] for row in cursor.fetchall())


def _mark_sent(recipient_ids: list[int]) -> None:
    """Mark the messages the backend accepted as sent (one commit), and empty the list."""
    if recipient_ids:
        Recipient.objects.filter(pk__in=recipient_ids, status=RecipientStatus.SENDING).update(
            status=RecipientStatus.SENT, sent_at=timezone.now()
        )
        recipient_ids.clear()


def _finish(recipient_id: int, **changes) -> None:
    Recipient.objects.filter(pk=recipient_id, status=RecipientStatus.SENDING).update(**changes)


def _why_not_now(customer: Customer, channel: str, suppressed: set[int]) -> str:
    """Why this message must not go out any more ('' when it may)."""
    if customer.pk in suppressed:
        return ExclusionReason.SUPPRESSED
    if customer.archived_at is not None:
        return ExclusionReason.ARCHIVED
    if customer.lifecycle_stage == LifecycleStage.TERMINATED:
        return ExclusionReason.TERMINATED
    address = customer.email if channel == Channel.EMAIL else str(customer.phone or "")
    if not getattr(customer, CONSENT_FIELD_BY_CHANNEL[channel]) or not address:
        return ExclusionReason.CONSENT_WITHDRAWN
    return ""


def _loyalty_members(
    *, tenant: Tenant, campaign: Campaign, recipients: list[Recipient]
) -> dict[int, Member]:
    """The batch's customers who are active loyalty members (when the offer has points)."""
    if not campaign.bonus_points:
        return {}
    return {
        member.customer_id: member
        for member in Member.objects.filter(
            tenant=tenant,
            customer_id__in=[r.customer_id for r in recipients],
            left_at__isnull=True,
        )
    }


def _coupon_code(*, tenant: Tenant, campaign: Campaign, recipient: Recipient) -> str:
    """The recipient's personal code: issued once and kept on the recipient, so a retried
    message carries the same code."""
    if campaign.coupon_batch_id is None:
        return ""
    if recipient.coupon is not None:
        return recipient.coupon.code
    coupon = coupon_issue(
        tenant=tenant, batch=campaign.coupon_batch, customer_id=recipient.customer_id
    )
    Recipient.objects.filter(pk=recipient.pk, coupon__isnull=True).update(coupon=coupon)
    recipient.coupon = coupon
    return coupon.code


def _bonus_points_credit(
    *, tenant: Tenant, campaign: Campaign, recipient: Recipient, member: Member
) -> None:
    """Credit the offer's points once per recipient (the loyalty ledger's idempotency key)."""
    # Already credited (a retried message), or the programme was switched off meanwhile.
    with contextlib.suppress(LoyaltyError):
        points_adjust(
            tenant=tenant,
            actor=None,
            member=member,
            points=campaign.bonus_points,
            reason=gettext("Campaign: %(name)s") % {"name": campaign.name},
            request_key=f"campaign-recipient-{recipient.pk}",
        )


def _retry_or_fail(recipient: Recipient, error: Exception, now: datetime) -> None:
    if recipient.attempts >= MAX_ATTEMPTS:
        _finish(recipient.pk, status=RecipientStatus.FAILED, last_error=str(error)[:2000])
    else:
        _finish(
            recipient.pk,
            status=RecipientStatus.QUEUED,
            next_attempt_at=now + RETRY_BASE * 2 ** (recipient.attempts - 1),
            last_error=str(error)[:2000],
        )


def send_batch(
    *, tenant: Tenant, campaign: Campaign, now: datetime | None = None, limit: int = BATCH_SIZE
) -> tuple[int, int]:
    """Claim and send up to `limit` queued messages. Returns (claimed, sent)."""
    now = now or timezone.now()
    ids = _claim(tenant=tenant, campaign=campaign, now=now, limit=limit)
    if not ids:
        return 0, 0
    recipients = list(
        Recipient.objects.filter(tenant=tenant, pk__in=ids)
        .select_related("customer", "coupon")
        .order_by("id")
    )
    suppressed = set(
        Suppression.objects.filter(
            tenant=tenant, customer_id__in=[r.customer_id for r in recipients]
        ).values_list("customer_id", flat=True)
    )
    members = _loyalty_members(tenant=tenant, campaign=campaign, recipients=recipients)
    sent: list[int] = []  # accepted by the backend since the last mark
    sent_count = 0
    sms_backend = None
    with get_connection() as mail:
        for recipient in recipients:
            reason = _why_not_now(recipient.customer, recipient.channel, suppressed)
            if reason:
                _finish(recipient.pk, status=RecipientStatus.CANCELLED, reason=reason)
                continue
            extras = OfferExtras(
                coupon_code=_coupon_code(tenant=tenant, campaign=campaign, recipient=recipient),
                bonus_points=campaign.bonus_points if recipient.customer_id in members else None,
            )
            try:
                if recipient.channel == Channel.EMAIL:
                    message = offer_email(
                        campaign=campaign,
                        customer=recipient.customer,
                        recipient_id=recipient.pk,
                        extras=extras,
                    )
                    mail.send_messages([message])
                else:
                    sms_backend = sms_backend or get_sms_backend()
                    sms_backend.send_messages(
                        [
                            SmsMessage(
                                tenant_id=tenant.pk,
                                recipient_id=recipient.pk,
                                phone=str(recipient.customer.phone),
                                text=offer_sms(
                                    campaign=campaign,
                                    customer=recipient.customer,
                                    recipient_id=recipient.pk,
                                    extras=extras,
                                ),
                            )
                        ]
                    )
            except TEMPORARY_ERRORS as error:
                _retry_or_fail(recipient, error, now)
                continue
            sent.append(recipient.pk)
            sent_count += 1
            if len(sent) >= MARK_EVERY:
                _mark_sent(sent)
            if extras.bonus_points:
                _bonus_points_credit(
                    tenant=tenant,
                    campaign=campaign,
                    recipient=recipient,
                    member=members[recipient.customer_id],
                )
    _mark_sent(sent)
    return len(ids), sent_count


def campaign_send(
    *, tenant: Tenant, campaign_id: int, time_budget: float = 50.0, limit: int = BATCH_SIZE
) -> tuple[int, bool]:
    """Send batches while the campaign runs, its send window is open and time is left.
    Returns (sent, more work left)."""
    began = time.monotonic()
    sent = 0
    while time.monotonic() - began < time_budget:
        campaign = (
            Campaign.objects.filter(pk=campaign_id, tenant=tenant).select_related("tenant").first()
        )
        if campaign is None or not may_send_now(campaign=campaign, now=timezone.now()):
            return sent, False
        claimed, batch_sent = send_batch(tenant=tenant, campaign=campaign, limit=limit)
        sent += batch_sent
        if claimed == 0:
            return sent, False
    return sent, True


def may_send_now(*, campaign: Campaign, now: datetime) -> bool:
    if campaign.status != CampaignStatus.RUNNING or not (
        campaign.starts_at <= now < campaign.ends_at
    ):
        return False
    local = now.astimezone(campaign.tenant.zone).time()
    return campaign.send_from <= local < campaign.send_until


def stalled_sends_recover(*, tenant: Tenant, now: datetime | None = None) -> tuple[int, int]:
    """Claims older than STALLED_AFTER: (failed as possibly sent, requeued as never tried)."""
    now = now or timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            _RECOVER,
            {
                "tenant": tenant.pk,
                "cutoff": now - STALLED_AFTER,
                "message": INTERRUPTED,
                "possibly_sent": MARK_EVERY,
            },
        )
        rows = [row[0] for row in cursor.fetchall()]
    return sum(rows), len(rows) - sum(rows)
