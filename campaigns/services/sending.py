"""Sending a running campaign's emails and SMS in batches, never twice to anyone.

- A batch is claimed with one conditional UPDATE (queued → sending, `FOR UPDATE SKIP LOCKED`)
  and committed before anything is sent: two workers, a retried task or a double click never
  get the same message.
- Messages are sent in id order, and what happened to them is written down every MARK_EVERY
  messages (sending → sent for those the backends accepted, back to the queue or failed for
  temporary failures; one commit per group: a commit per message waits for the disk each
  time and halved the rate). If the worker is killed, its claim's rows still "sending" are, in
  id order: at most MARK_EVERY that may have gone out, then the ones never tried.
  `stalled_sends_recover` marks the first MARK_EVERY failed ("not resent, so nobody gets it
  twice") and puts the rest back in the queue: a kill may cost up to MARK_EVERY − 1 unsent
  messages, never a second one.
- A temporary failure (SMTP error, network) puts the message back with an exponential backoff
  (1, 2, 4, 8 minutes); after MAX_ATTEMPTS it is failed.
- Consent, do-not-contact and the relationship are checked again when the batch is claimed:
  a withdrawal after the start stops the message (status "not sent", reason recorded).
- The offer's loyalty benefits are written for the whole batch at once: its new coupon codes
  in one INSERT, its bonus points in one ledger statement (loyalty's idempotency keys).
"""

from __future__ import annotations

import smtplib
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.mail import get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection
from django.utils import timezone, translation
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
from campaigns.rendering import OfferExtras, OfferRenderer
from campaigns.sms import SmsBackend, SmsMessage, get_sms_backend
from crm.models import Tenant
from customers.models import CONSENT_FIELD_BY_CHANNEL, Customer, LifecycleStage
from loyalty.models import Coupon, EntrySource, Member
from loyalty.services.coupons import coupons_issue
from loyalty.services.ledger import points_credit

BATCH_SIZE = 100
# Messages are recorded in groups of this many (one commit each instead of one per message:
# a commit waits for the disk). A killed worker leaves at most this many messages unrecorded,
# all among the lowest ids of its claim still "sending".
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


_RECORD_FAILURES = """
UPDATE campaigns_recipient r
SET status = CASE WHEN r.attempts >= %(max_attempts)s THEN 'failed' ELSE 'queued' END,
    next_attempt_at = CASE WHEN r.attempts >= %(max_attempts)s THEN r.next_attempt_at
                           ELSE %(now)s + %(retry_base)s * power(2, r.attempts - 1) END,
    last_error = f.error
FROM unnest(%(ids)s::bigint[], %(errors)s::text[]) AS f(id, error)
WHERE r.id = f.id AND r.tenant_id = %(tenant)s AND r.status = 'sending'
"""

_COUPONS_LINK = """
UPDATE campaigns_recipient r SET coupon_id = l.coupon_id
FROM unnest(%(ids)s::bigint[], %(coupons)s::bigint[]) AS l(id, coupon_id)
WHERE r.id = l.id AND r.tenant_id = %(tenant)s AND r.coupon_id IS NULL
"""


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


def _cancel_unreachable(
    *, tenant: Tenant, recipients: list[Recipient], suppressed: set[int]
) -> list[Recipient]:
    """Cancel the messages that must not go out any more (one UPDATE per reason, before
    anything is sent); returns the others, still in id order."""
    cancelled: dict[str, list[int]] = defaultdict(list)
    reachable = []
    for recipient in recipients:
        reason = _why_not_now(recipient.customer, recipient.channel, suppressed)
        if reason:
            cancelled[reason].append(recipient.pk)
        else:
            reachable.append(recipient)
    for reason, ids in cancelled.items():
        Recipient.objects.filter(tenant=tenant, pk__in=ids, status=RecipientStatus.SENDING).update(
            status=RecipientStatus.CANCELLED, reason=reason
        )
    return reachable


def _loyalty_members(
    *, tenant: Tenant, campaign: Campaign, recipients: list[Recipient]
) -> dict[int, int]:
    """{customer id: member id} of the batch's active loyalty members (when the offer has
    points)."""
    if not campaign.bonus_points or not recipients:
        return {}
    return dict(
        Member.objects.filter(
            tenant=tenant,
            customer_id__in=[r.customer_id for r in recipients],
            left_at__isnull=True,
        ).values_list("customer_id", "pk")
    )


def _coupons_link(
    *, tenant: Tenant, campaign: Campaign, recipients: list[tuple[int, int]]
) -> list[Coupon]:
    """Issue a code for each (recipient id, customer id) (one INSERT) and keep it on the
    recipient (one UPDATE); returns the coupons in the same order."""
    coupons = coupons_issue(
        tenant=tenant,
        batch=campaign.coupon_batch,
        customer_ids=[customer_id for _recipient_id, customer_id in recipients],
    )
    with connection.cursor() as cursor:
        cursor.execute(
            _COUPONS_LINK,
            {
                "tenant": tenant.pk,
                "ids": [recipient_id for recipient_id, _customer_id in recipients],
                "coupons": [coupon.pk for coupon in coupons],
            },
        )
    return coupons


def _coupons_issue(*, tenant: Tenant, campaign: Campaign, recipients: list[Recipient]) -> None:
    """A personal code for each recipient without one yet, kept on the recipient: a retried
    message carries the same code."""
    if campaign.coupon_batch_id is None:
        return
    needing = [recipient for recipient in recipients if recipient.coupon_id is None]
    if not needing:
        return
    coupons = _coupons_link(
        tenant=tenant, campaign=campaign, recipients=[(r.pk, r.customer_id) for r in needing]
    )
    for recipient, coupon in zip(needing, coupons, strict=True):
        recipient.coupon = coupon


def offline_coupons_issue(*, tenant: Tenant, campaign: Campaign) -> int:
    """Codes for the queued calls and letters without one (read out on the call list, printed
    in the letter export): issued when they join the queue, since nothing sends them. Three
    statements whatever their number; returns how many were issued."""
    if campaign.coupon_batch_id is None:
        return 0
    waiting = list(
        Recipient.objects.filter(
            tenant=tenant,
            campaign=campaign,
            channel__in=[Channel.CALL, Channel.MAIL],
            status=RecipientStatus.QUEUED,
            coupon__isnull=True,
        ).values_list("pk", "customer_id")
    )
    if waiting:
        _coupons_link(tenant=tenant, campaign=campaign, recipients=waiting)
    return len(waiting)


def bonus_points_key(recipient_id: int) -> str:
    """The ledger's idempotency key of one message's bonus points."""
    return f"campaign:recipient:{recipient_id}"


def _bonus_points_credit(
    *, tenant: Tenant, campaign: Campaign, recipients: list[Recipient], members: dict[int, int]
) -> None:
    """Credit the offer's points to the members among `recipients`, once per message (the
    ledger's idempotency key), in one statement. Credited just before sending, so that every
    message saying "points added" has them, even one whose sender is killed a moment later; a
    message that finally fails leaves the customer the points without the news."""
    with translation.override(tenant.default_language):  # the ledger's lines read in it
        reason = gettext("Campaign: %(name)s") % {"name": campaign.name}
    credits = [
        (members[recipient.customer_id], bonus_points_key(recipient.pk))
        for recipient in recipients
        if recipient.customer_id in members
    ]
    points_credit(
        tenant=tenant,
        credits=credits,
        points=campaign.bonus_points or 0,
        source=EntrySource.CAMPAIGN,
        reason=reason,
    )


@dataclass
class _Progress:
    """What the batch has done since it last wrote it down: messages the backends accepted,
    SMS waiting to be handed over, temporary failures. Written every MARK_EVERY messages (one
    commit per group), so a killed worker leaves at most MARK_EVERY of them unrecorded, all
    among the lowest ids of its claim still "sending"."""

    tenant: Tenant
    now: datetime
    sent: list[int] = field(default_factory=list)
    sms: list[SmsMessage] = field(default_factory=list)
    failed: dict[int, str] = field(default_factory=dict)
    sent_count: int = 0
    sms_backend: SmsBackend | None = None

    def pending(self) -> int:
        return len(self.sent) + len(self.sms) + len(self.failed)

    def record(self) -> None:
        if self.sms:
            self.sms_backend = self.sms_backend or get_sms_backend()
            try:
                self.sms_backend.send_messages(self.sms)
            except TEMPORARY_ERRORS as error:
                self.failed.update({m.recipient_id: str(error)[:2000] for m in self.sms})
            else:
                self.sent.extend(message.recipient_id for message in self.sms)
            self.sms = []
        if self.sent:
            Recipient.objects.filter(
                tenant=self.tenant, pk__in=self.sent, status=RecipientStatus.SENDING
            ).update(status=RecipientStatus.SENT, sent_at=self.now)
            self.sent_count += len(self.sent)
            self.sent = []
        if self.failed:
            with connection.cursor() as cursor:
                cursor.execute(
                    _RECORD_FAILURES,
                    {
                        "tenant": self.tenant.pk,
                        "now": self.now,
                        "max_attempts": MAX_ATTEMPTS,
                        "retry_base": RETRY_BASE,
                        "ids": list(self.failed),
                        "errors": list(self.failed.values()),
                    },
                )
            self.failed = {}


def send_batch(
    *,
    tenant: Tenant,
    campaign: Campaign,
    now: datetime | None = None,
    limit: int = BATCH_SIZE,
    mail_connection: BaseEmailBackend | None = None,
) -> tuple[int, int]:
    """Claim and send up to `limit` queued messages (at `now`: claimed, sent and retried as
    of then). Returns (claimed, sent). Emails go through `mail_connection`, by default the
    one settings.EMAIL_BACKEND names.

    A constant number of queries whatever the batch's size (see test_sending's query count):
    the claim, the recipients with their customers, their do-not-contact entries and loyalty
    memberships, one UPDATE per reason a message may no longer go out, the batch's coupons and
    bonus points in two statements each, then one UPDATE per MARK_EVERY messages sent (and one
    for temporary failures, when any)."""
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
    recipients = _cancel_unreachable(tenant=tenant, recipients=recipients, suppressed=suppressed)
    members = _loyalty_members(tenant=tenant, campaign=campaign, recipients=recipients)
    _coupons_issue(tenant=tenant, campaign=campaign, recipients=recipients)
    _bonus_points_credit(tenant=tenant, campaign=campaign, recipients=recipients, members=members)
    progress = _Progress(tenant=tenant, now=now)
    renderer = OfferRenderer(campaign=campaign)
    with mail_connection or get_connection() as mail:
        for recipient in recipients:
            extras = OfferExtras(
                coupon_code=recipient.coupon.code if recipient.coupon else "",
                bonus_points=campaign.bonus_points if recipient.customer_id in members else None,
            )
            if recipient.channel == Channel.EMAIL:
                message = renderer.email(
                    customer=recipient.customer,
                    recipient_id=recipient.pk,
                    extras=extras,
                )
                try:
                    mail.send_messages([message])
                except TEMPORARY_ERRORS as error:
                    progress.failed[recipient.pk] = str(error)[:2000]
                else:
                    progress.sent.append(recipient.pk)
            else:
                progress.sms.append(
                    SmsMessage(
                        tenant_id=tenant.pk,
                        recipient_id=recipient.pk,
                        phone=str(recipient.customer.phone),
                        text=renderer.sms(
                            customer=recipient.customer,
                            recipient_id=recipient.pk,
                            extras=extras,
                        ),
                    )
                )
            if progress.pending() >= MARK_EVERY:
                progress.record()
        progress.record()
    return len(ids), progress.sent_count


def campaign_send(
    *, tenant: Tenant, campaign_id: int, time_budget: float = 50.0, limit: int = BATCH_SIZE
) -> tuple[int, bool]:
    """Send batches while the campaign runs, its send window is open and time is left.
    Returns (sent, more work left)."""
    began = time.monotonic()
    sent = 0
    while time.monotonic() - began < time_budget:
        campaign = (
            Campaign.objects.filter(pk=campaign_id, tenant=tenant)
            .select_related("tenant", "coupon_batch")
            .first()
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
