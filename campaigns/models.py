"""Campaigns: what is offered to whom through which channels, held to a budget and measured
against a control group; the recipients (one row per customer per campaign and trigger
occurrence), the tenant's contact rules (frequency cap) and do-not-contact list, and the SMS
outbox a provider picks up."""

from __future__ import annotations

from datetime import time
from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm.models import TenantOwnedModel
from customers.models import AcquisitionChannel, Customer, LifecycleStage


class Objective(models.TextChoices):
    ACQUISITION = "acquisition", _("Acquisition")
    UPSELL = "upsell", _("Up-sell")
    CROSS_SELL = "cross_sell", _("Cross-sell")
    RETENTION = "retention", _("Retention")
    WIN_BACK = "win_back", _("Win-back")


# Objectives whose audience is ranked by expected margin instead of by score.
MARGIN_RANKED_OBJECTIVES = frozenset({Objective.UPSELL, Objective.CROSS_SELL})


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SCHEDULED = "scheduled", _("Scheduled")
    RUNNING = "running", _("Running")
    FINISHED = "finished", _("Finished")
    CANCELLED = "cancelled", _("Cancelled")


# The only moves a campaign's status may make.
STATUS_TRANSITIONS: dict[str, frozenset[str]] = {
    CampaignStatus.DRAFT: frozenset({CampaignStatus.SCHEDULED, CampaignStatus.CANCELLED}),
    CampaignStatus.SCHEDULED: frozenset(
        {CampaignStatus.RUNNING, CampaignStatus.DRAFT, CampaignStatus.CANCELLED}
    ),
    CampaignStatus.RUNNING: frozenset({CampaignStatus.FINISHED, CampaignStatus.CANCELLED}),
    CampaignStatus.FINISHED: frozenset(),
    CampaignStatus.CANCELLED: frozenset(),
}


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS")
    CALL = "call", _("Call list")
    MAIL = "mail", _("Direct mail")


# The campaign field holding the cost of one contact on each channel.
COST_FIELD_BY_CHANNEL: dict[str, str] = {
    Channel.EMAIL: "cost_email",
    Channel.SMS: "cost_sms",
    Channel.CALL: "cost_call",
    Channel.MAIL: "cost_mail",
}


class AudienceKind(models.TextChoices):
    SEGMENT = "segment", _("A saved segment")
    TIER = "tier", _("A tier of the pyramid")
    STAGE = "stage", _("A lifecycle stage (e.g. prospects)")
    NEXT_BEST = "next_best", _("Customers whose next best product is … (cross-sell)")


class TriggerKind(models.TextChoices):
    NONE = "", _("None: send once to the audience")
    FIRST_PURCHASE = "first_purchase", _("First purchase")
    TIER_UP = "tier_up", _("Moved up a tier")
    TIER_DOWN = "tier_down", _("Moved down a tier")
    NO_PURCHASE = "no_purchase", _("No purchase for N days")
    BIRTHDAY = "birthday", _("Birthday")
    COMPLAINT_RESOLVED = "complaint_resolved", _("Complaint resolved")
    SPEND_THRESHOLD = "spend_threshold", _("Total spend crossed a threshold")
    NEW_FROM_CHANNEL = "new_from_channel", _("New customer from an acquisition channel")


MONEY = {"max_digits": 14, "decimal_places": 2}


def _default_channels() -> list[str]:
    return [Channel.EMAIL]


class Campaign(TenantOwnedModel):
    """One offer to an audience (or to each customer a trigger picks), through one or more
    channels, within a budget; a share of the audience is held out as a control group."""

    name = models.CharField(_("name"), max_length=200)
    objective = models.CharField(_("objective"), max_length=12, choices=Objective.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT
    )
    audience_kind = models.CharField(
        _("audience"), max_length=10, choices=AudienceKind.choices, default=AudienceKind.TIER
    )
    segment = models.ForeignKey(
        "segmentation.Segment",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("segment"),
    )
    # The segment's members frozen when the campaign started (the audience it was measured on).
    snapshot = models.ForeignKey(
        "segmentation.SegmentSnapshot",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("audience snapshot"),
    )
    audience_tier = models.ForeignKey(
        "segmentation.Tier",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("tier"),
    )
    audience_stage = models.CharField(
        _("lifecycle stage"), max_length=20, choices=LifecycleStage.choices, blank=True
    )
    # Cross-sell: the customers with this product (or category) among their next best ones
    # (prediction's nightly co-purchase suggestions).
    audience_product = models.ForeignKey(
        "customers.Product",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("next best product"),
    )
    audience_category = models.ForeignKey(
        "customers.ProductCategory",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("next best category"),
    )
    trigger = models.CharField(
        _("trigger"), max_length=20, choices=TriggerKind.choices, blank=True, default=""
    )
    trigger_days = models.PositiveIntegerField(_("days without a purchase"), null=True, blank=True)
    trigger_amount = models.DecimalField(_("spend threshold"), **MONEY, null=True, blank=True)
    trigger_channel = models.CharField(
        _("acquisition channel"), max_length=20, choices=AcquisitionChannel.choices, blank=True
    )
    # In order of preference: each customer gets the offer once, on the first channel they
    # can be reached on (consent and contact data).
    channels = ArrayField(
        models.CharField(max_length=5, choices=Channel.choices),
        default=_default_channels,
        verbose_name=_("channels"),
    )
    cost_email = models.DecimalField(_("cost per email"), **MONEY, default=Decimal("0"))
    cost_sms = models.DecimalField(_("cost per SMS"), **MONEY, default=Decimal("0"))
    cost_call = models.DecimalField(_("cost per call"), **MONEY, default=Decimal("0"))
    cost_mail = models.DecimalField(_("cost per letter"), **MONEY, default=Decimal("0"))
    budget = models.DecimalField(
        _("total budget"),
        **MONEY,
        null=True,
        blank=True,
        help_text=_("Leave empty for no limit."),
    )
    control_percent = models.PositiveSmallIntegerField(
        _("control group (%)"),
        default=10,
        validators=[MinValueValidator(0), MaxValueValidator(50)],
        help_text=_("Share of the audience held out at random to measure the effect."),
    )
    subject_tr = models.CharField(_("subject (Turkish)"), max_length=200, blank=True)
    body_tr = models.TextField(_("offer text (Turkish)"), blank=True)
    subject_en = models.CharField(_("subject (English)"), max_length=200, blank=True)
    body_en = models.TextField(_("offer text (English)"), blank=True)
    # The offer may carry loyalty benefits: a personal coupon code of this batch's terms for
    # each contacted customer, and bonus points credited to loyalty members with the message.
    coupon_batch = models.ForeignKey(
        "loyalty.CouponBatch",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("coupon"),
        help_text=_("Each customer reached by email or SMS gets their own code on these terms."),
    )
    bonus_points = models.PositiveIntegerField(
        _("bonus points"),
        null=True,
        blank=True,
        help_text=_("Credited to loyalty members when their email or SMS goes out."),
    )
    offer_url = models.URLField(
        _("offer link"),
        blank=True,
        help_text=_("Where the link in the message leads; clicks are counted."),
    )
    starts_at = models.DateTimeField(_("starts"), default=timezone.now)
    ends_at = models.DateTimeField(_("ends"))
    send_from = models.TimeField(_("send from"), default=time(9, 0))
    send_until = models.TimeField(_("send until"), default=time(20, 0))
    attribution_days = models.PositiveSmallIntegerField(
        _("attribution window (days)"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text=_("A purchase this many days after the contact counts as a conversion."),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    # What the start left out and why: {"audience": n, "no_consent": n, "over_budget": n, ...}
    start_summary = models.JSONField(_("start summary"), default=dict, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=CampaignStatus.values), name="campaign_valid_status"
            ),
            models.CheckConstraint(
                condition=Q(objective__in=Objective.values), name="campaign_valid_objective"
            ),
            models.CheckConstraint(
                condition=Q(trigger__in=TriggerKind.values), name="campaign_valid_trigger"
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="campaign_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(control_percent__lte=50), name="campaign_control_0_50"
            ),
            models.CheckConstraint(
                condition=Q(cost_email__gte=0, cost_sms__gte=0, cost_call__gte=0, cost_mail__gte=0),
                name="campaign_costs_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(budget__isnull=True) | Q(budget__gte=0),
                name="campaign_budget_non_negative",
            ),
            models.CheckConstraint(condition=~Q(channels=[]), name="campaign_has_a_channel"),
            models.CheckConstraint(
                condition=~Q(audience_kind=AudienceKind.NEXT_BEST)
                | Q(objective=Objective.CROSS_SELL)
                & (Q(audience_product__isnull=False) | Q(audience_category__isnull=False)),
                name="campaign_next_best_is_cross_sell_with_an_item",
            ),
            models.CheckConstraint(
                condition=~Q(trigger=TriggerKind.NO_PURCHASE) | Q(trigger_days__gt=0),
                name="campaign_no_purchase_needs_days",
            ),
            models.CheckConstraint(
                condition=~Q(trigger=TriggerKind.SPEND_THRESHOLD) | Q(trigger_amount__gt=0),
                name="campaign_spend_needs_amount",
            ),
            models.CheckConstraint(
                condition=~Q(trigger=TriggerKind.NEW_FROM_CHANNEL) | ~Q(trigger_channel=""),
                name="campaign_new_customer_needs_channel",
            ),
        ]
        indexes = [models.Index(fields=["tenant", "status"], name="campaign_status")]

    def __str__(self) -> str:
        return self.name

    @property
    def channel_labels(self) -> list[str]:
        return [Channel(channel).label for channel in self.channels]

    @property
    def is_triggered(self) -> bool:
        return bool(self.trigger)

    def cost_of(self, channel: str) -> Decimal:
        return getattr(self, COST_FIELD_BY_CHANNEL[channel])

    def offer_for(self, language: str) -> tuple[str, str]:
        """Subject and text in `language`, falling back to the other language when empty."""
        texts = {"tr": (self.subject_tr, self.body_tr), "en": (self.subject_en, self.body_en)}
        subject, body = texts.get(language, texts["tr"])
        if not body:
            subject, body = texts["en" if language == "tr" else "tr"]
        return subject, body


class RecipientGroup(models.TextChoices):
    TARGET = "target", _("Contacted")
    CONTROL = "control", _("Control group")
    EXCLUDED = "excluded", _("Left out")


class ExclusionReason(models.TextChoices):
    SUPPRESSED = "suppressed", _("On the do-not-contact list")
    TERMINATED = "terminated", _("Relationship terminated")
    ARCHIVED = "archived", _("Archived")
    NO_CONSENT = "no_consent", _("No consent on any of the campaign's channels")
    CAPPED = "capped", _("Contacted too often lately (frequency cap)")
    OVER_BUDGET = "over_budget", _("Over the budget (less valuable than those contacted)")
    CONSENT_WITHDRAWN = "consent_withdrawn", _("Consent withdrawn before sending")


class RecipientStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Not sent")


# Statuses that count as a contact for the frequency cap (made or about to be made).
CAPPED_STATUSES = (RecipientStatus.QUEUED, RecipientStatus.SENDING, RecipientStatus.SENT)


def _untriggered_fk(to, **kwargs):
    """A foreign key without a database trigger: a campaign start inserts up to hundreds of
    thousands of recipients in one statement, and each FK check is a trigger call per row
    (segmentation measured 10× slower inserts). Only the start and trigger SQL insert rows,
    from rows of the same tenant read in the same statement; deletes cascade through Django."""
    return models.ForeignKey(to, db_constraint=False, **kwargs)


class Recipient(TenantOwnedModel):
    """A customer in a campaign's audience: contacted (once, on one channel), held out as the
    control group, or left out with the reason. For a triggered campaign, one row per customer
    per trigger occurrence ("birthday:2026", "complaint:812")."""

    tenant = _untriggered_fk(
        "crm.Tenant", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    campaign = _untriggered_fk(
        Campaign, on_delete=models.CASCADE, related_name="recipients", db_index=False
    )
    customer = _untriggered_fk(
        Customer,
        on_delete=models.CASCADE,
        related_name="campaign_recipients",
        db_index=False,
        verbose_name=_("customer"),
    )
    occurrence = models.CharField(_("occurrence"), max_length=60, blank=True, default="")
    group = models.CharField(_("group"), max_length=8, choices=RecipientGroup.choices)
    reason = models.CharField(
        _("reason"), max_length=20, choices=ExclusionReason.choices, blank=True, default=""
    )
    channel = models.CharField(
        _("channel"), max_length=5, choices=Channel.choices, blank=True, default=""
    )
    # What the audience was ranked by when the budget ran short: the score, or the expected
    # margin for up-sell and cross-sell.
    priority = models.DecimalField(_("priority"), max_digits=16, decimal_places=4, default=0)
    cost = models.DecimalField(_("cost"), **MONEY, default=Decimal("0"))
    status = models.CharField(
        _("status"), max_length=10, choices=RecipientStatus.choices, blank=True, default=""
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("entered the audience"), default=timezone.now)
    sending_at = models.DateTimeField(_("claimed for sending at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    clicked_at = models.DateTimeField(_("clicked at"), null=True, blank=True)
    outcome = models.CharField(_("call outcome"), max_length=20, blank=True)
    # Empty when the start inserts the row; without a trigger too (its deferred check would
    # still run once per inserted row at commit: 0.9 s of a 200,000-customer start).
    coupon = _untriggered_fk(
        "loyalty.Coupon",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # partial index below
        verbose_name=_("coupon"),
    )
    called_by = _untriggered_fk(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # partial index below
        verbose_name=_("called by"),
    )

    class Meta:
        verbose_name = _("recipient")
        verbose_name_plural = _("recipients")
        ordering = ["id"]
        constraints = [
            # One offer per customer per campaign (and trigger occurrence), whatever channels.
            models.UniqueConstraint(
                fields=["campaign", "customer", "occurrence"], name="recipient_one_offer"
            ),
            models.CheckConstraint(
                condition=Q(group__in=RecipientGroup.values), name="recipient_valid_group"
            ),
            models.CheckConstraint(
                condition=Q(group=RecipientGroup.TARGET, status__in=RecipientStatus.values)
                & ~Q(status="")
                & ~Q(channel="")
                | ~Q(group=RecipientGroup.TARGET) & Q(status="", cost=0),
                name="recipient_target_has_status_and_channel",
            ),
            models.CheckConstraint(
                condition=~Q(group=RecipientGroup.EXCLUDED) | ~Q(reason=""),
                name="recipient_excluded_has_reason",
            ),
            models.CheckConstraint(condition=Q(cost__gte=0), name="recipient_cost_gte_0"),
        ]
        indexes = [
            # The sender's claim: the queued messages of one campaign, in id order.
            models.Index(
                fields=["campaign", "channel", "id"],
                condition=Q(status="queued"),
                name="recipient_queued",
            ),
            # The frequency cap (contacts per customer in a period, across campaigns) and the
            # customer's timeline.
            models.Index(
                fields=["customer", "created_at"],
                condition=Q(group="target"),
                name="recipient_customer_contacts",
            ),
            # Claims whose worker stopped (see services/sending.py).
            models.Index(
                fields=["tenant", "sending_at"],
                condition=Q(status="sending"),
                name="recipient_sending",
            ),
            # For deleting a coupon or a user (SET NULL). Only the rows that have one: a start
            # inserts every row without, and a full index would take each of them (a third of
            # a 200,000-customer start's index work).
            models.Index(
                fields=["coupon"], condition=Q(coupon__isnull=False), name="recipient_coupon"
            ),
            models.Index(
                fields=["called_by"],
                condition=Q(called_by__isnull=False),
                name="recipient_called_by",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}/{self.customer_id} {self.group}"


class ContactRules(TenantOwnedModel):
    """The tenant's frequency cap: at most `max_contacts` campaign contacts per customer in
    any `period_days` days, across all campaigns."""

    tenant = models.OneToOneField(
        "crm.Tenant", on_delete=models.CASCADE, related_name="+", verbose_name=_("tenant")
    )
    max_contacts = models.PositiveSmallIntegerField(
        _("at most this many contacts"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    period_days = models.PositiveSmallIntegerField(
        _("per this many days"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )

    class Meta:
        verbose_name = _("contact rules")
        verbose_name_plural = _("contact rules")
        constraints = [
            models.CheckConstraint(
                condition=Q(max_contacts__gte=1, period_days__gte=1), name="contact_rules_positive"
            )
        ]

    def __str__(self) -> str:
        return f"{self.max_contacts} / {self.period_days}"


class Suppression(TenantOwnedModel):
    """A customer who must not get campaign messages at all (asked not to be contacted)."""

    customer = models.OneToOneField(
        Customer, on_delete=models.CASCADE, related_name="suppression", verbose_name=_("customer")
    )
    reason = models.CharField(_("reason"), max_length=255)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("since"), auto_now_add=True)

    class Meta:
        verbose_name = _("do-not-contact entry")
        verbose_name_plural = _("do-not-contact list")
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="suppression_has_reason")
        ]

    def __str__(self) -> str:
        return str(self.customer_id)


class SmsOutboxMessage(TenantOwnedModel):
    """An SMS handed to the outbox backend, waiting for the provider's upload file."""

    recipient = models.OneToOneField(
        Recipient, on_delete=models.CASCADE, related_name="+", verbose_name=_("recipient")
    )
    phone = models.CharField(_("phone"), max_length=20)
    text = models.TextField(_("text"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    exported_at = models.DateTimeField(_("exported at"), null=True, blank=True)

    class Meta:
        verbose_name = _("SMS in the outbox")
        verbose_name_plural = _("SMS outbox")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.phone
