"""Leads (a prospect on its way to the first purchase), what acquisition costs per channel and
campaign, and the nightly acquisition summaries the managers' report reads.

A lead IS a customer: the person or company is one `customers.Customer` (lifecycle stage
"prospect" until converted), and `Lead` holds only what the sales pipeline adds to it, one to
one. Converting keeps both rows: the customer moves on in its lifecycle, the lead stays "won"
with its source, campaign and history.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm.models import TenantOwnedModel
from customers.models import AcquisitionChannel, Customer


class LeadSource(models.TextChoices):
    WEB_FORM = "web_form", _("Web form")
    EVENT = "event", _("Event or trade fair")
    REFERRAL = "referral", _("Referral")
    CAMPAIGN = "campaign", _("Campaign")
    IMPORT = "import", _("Import")
    WALK_IN = "walk_in", _("Walk-in")


# The customer's acquisition channel (what the cost report groups by) for each lead source.
CHANNEL_BY_SOURCE: dict[str, str] = {
    LeadSource.WEB_FORM: AcquisitionChannel.WEB,
    LeadSource.EVENT: AcquisitionChannel.EVENT,
    LeadSource.REFERRAL: AcquisitionChannel.REFERRAL,
    LeadSource.CAMPAIGN: AcquisitionChannel.ADVERTISING,
    LeadSource.IMPORT: AcquisitionChannel.OTHER,
    LeadSource.WALK_IN: AcquisitionChannel.STORE,
}


class LeadStatus(models.TextChoices):
    NEW = "new", _("New")
    CONTACTED = "contacted", _("Contacted")
    QUALIFIED = "qualified", _("Qualified")
    WON = "won", _("Won")
    LOST = "lost", _("Lost")


OPEN_STATUSES = (LeadStatus.NEW, LeadStatus.CONTACTED, LeadStatus.QUALIFIED)

# The moves a person may make on the board. Winning also happens by itself at the first
# completed purchase (from any status but won); a lost lead can be reopened.
NEXT_STATUSES: dict[str, tuple[str, ...]] = {
    LeadStatus.NEW: (LeadStatus.CONTACTED, LeadStatus.WON, LeadStatus.LOST),
    LeadStatus.CONTACTED: (LeadStatus.QUALIFIED, LeadStatus.WON, LeadStatus.LOST),
    LeadStatus.QUALIFIED: (LeadStatus.WON, LeadStatus.LOST),
    LeadStatus.LOST: (LeadStatus.NEW,),
    LeadStatus.WON: (),
}


class Conversion(models.TextChoices):
    PURCHASE = "purchase", _("First purchase")
    MANUAL = "manual", _("By hand")


class Lead(TenantOwnedModel):
    """The sales pipeline's data about a prospect customer: where it came from, where it is."""

    customer = models.OneToOneField(
        Customer, on_delete=models.PROTECT, related_name="lead", verbose_name=_("customer")
    )
    source = models.CharField(_("source"), max_length=12, choices=LeadSource.choices)
    # The company's own campaign (objective: acquisition) that brought the lead. A lead and
    # its campaign are always of one company: the form and the service offer and accept only
    # the company's campaigns, and a trigger in the database (migration 0003) refuses any other.
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="leads",
        verbose_name=_("campaign"),
    )
    source_detail = models.CharField(
        _("source detail"),
        max_length=100,
        blank=True,
        help_text=_("Which fair, referrer, advert or list, in your team's words."),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=LeadStatus.choices, default=LeadStatus.NEW
    )
    lost_reason = models.TextField(_("reason for losing"), blank=True)
    next_step = models.CharField(_("next step"), max_length=200, blank=True)
    next_step_due = models.DateField(_("next step due"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    status_changed_at = models.DateTimeField(_("status changed at"), default=timezone.now)
    converted_at = models.DateTimeField(_("converted at"), null=True, blank=True)
    conversion = models.CharField(
        _("converted by"), max_length=10, choices=Conversion.choices, blank=True
    )

    class Meta:
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=LeadStatus.values), name="lead_valid_status"
            ),
            models.CheckConstraint(
                condition=Q(source__in=LeadSource.values), name="lead_valid_source"
            ),
            models.CheckConstraint(
                condition=~Q(status=LeadStatus.LOST) | ~Q(lost_reason=""),
                name="lead_lost_has_reason",
            ),
            # Won if and only if converted, and a conversion says how.
            models.CheckConstraint(
                condition=Q(status=LeadStatus.WON, converted_at__isnull=False)
                & Q(conversion__in=Conversion.values)
                | ~Q(status=LeadStatus.WON) & Q(converted_at__isnull=True, conversion=""),
                name="lead_won_iff_converted",
            ),
            models.CheckConstraint(
                condition=Q(next_step_due__isnull=True) | ~Q(next_step=""),
                name="lead_due_date_needs_next_step",
            ),
            models.CheckConstraint(
                condition=Q(status_changed_at__gte=F("created_at")),
                name="lead_status_changed_after_created",
            ),
        ]
        indexes = [
            # A board column: a status, the most urgent next step first.
            models.Index(
                F("tenant"),
                F("status"),
                F("next_step_due").asc(nulls_last=True),
                F("id"),
                name="lead_board",
            ),
            # The won and lost columns: the latest first.
            models.Index(
                fields=["tenant", "status", "-status_changed_at", "-id"],
                condition=Q(status__in=["won", "lost"]),
                name="lead_closed",
            ),
            models.Index(fields=["tenant", "-created_at", "-id"], name="lead_newest"),
            # "My leads": the same two orders within one owner's leads.
            models.Index(
                F("tenant"),
                F("owner"),
                F("status"),
                F("next_step_due").asc(nulls_last=True),
                F("id"),
                name="lead_owner_board",
            ),
            models.Index(
                fields=["tenant", "owner", "status", "-status_changed_at", "-id"],
                condition=Q(status__in=["won", "lost"]),
                name="lead_owner_closed",
            ),
            # The conversion at a purchase looks up open leads only.
            models.Index(
                fields=["customer"],
                condition=~Q(status=LeadStatus.WON),
                name="lead_not_won",
            ),
        ]

    def __str__(self) -> str:
        return str(self.customer)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def next_statuses(self) -> tuple[str, ...]:
        return NEXT_STATUSES[self.status]

    @property
    def is_overdue(self) -> bool:
        return (
            self.is_open
            and self.next_step_due is not None
            and self.next_step_due < timezone.localdate()
        )


class AcquisitionCost(TenantOwnedModel):
    """What the company spent to win customers in one month, on one channel (and campaign)."""

    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    channel = models.CharField(_("channel"), max_length=20, choices=AcquisitionChannel.choices)
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("campaign"),
        help_text=_("Leave empty for the channel's cost outside any campaign."),
    )
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    note = models.CharField(_("note"), max_length=255, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("entered by"),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("acquisition cost")
        verbose_name_plural = _("acquisition costs")
        ordering = ["-month", "channel", "campaign"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "month", "channel", "campaign"],
                name="acquisition_cost_one_per_month",
                nulls_distinct=False,  # one cost outside any campaign, too
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="acquisition_cost_gte_0"),
            models.CheckConstraint(
                condition=Q(month__day=1), name="acquisition_cost_month_first_day"
            ),
            models.CheckConstraint(
                condition=Q(channel__in=AcquisitionChannel.values),
                name="acquisition_cost_valid_channel",
            ),
        ]

    def __str__(self) -> str:
        campaign = f" {self.campaign}" if self.campaign_id else ""
        return f"{self.month:%Y-%m} {self.get_channel_display()}{campaign} {self.amount}"


class SummaryRun(TenantOwnedModel):
    """One nightly computation of a tenant's acquisition summaries (the report's "as of")."""

    computed_at = models.DateTimeField(_("computed at"), default=timezone.now)
    seconds = models.FloatField(_("seconds"), default=0)

    class Meta:
        verbose_name = _("acquisition summary run")
        verbose_name_plural = _("acquisition summary runs")
        ordering = ["-computed_at", "-id"]
        indexes = [models.Index(fields=["tenant", "-computed_at"], name="acq_run_latest")]


def _summary_campaign(*, null: bool = True) -> models.ForeignKey:
    """The lead's campaign in a summary row (NULL: none). Summaries are rewritten every night
    from the leads, whose own foreign key keeps the campaign; a database constraint here would
    only slow the nightly insert."""
    return models.ForeignKey(
        "campaigns.Campaign",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=null,
        related_name="+",
    )


class CohortSummary(TenantOwnedModel):
    """Customers acquired in one month through one channel and campaign: how many were leads,
    how many bought, how fast. Sums and counts (not averages), so months add up."""

    run = models.ForeignKey(SummaryRun, on_delete=models.CASCADE, related_name="cohorts")
    month = models.DateField()
    channel = models.CharField(max_length=20)  # "" when the customer's channel is unknown
    campaign = _summary_campaign()
    customers = models.PositiveIntegerField(default=0)
    leads = models.PositiveIntegerField(default=0)
    leads_won = models.PositiveIntegerField(default=0)
    # Won customers: bought at least once, or a lead won by hand.
    won = models.PositiveIntegerField(default=0)
    buyers = models.PositiveIntegerField(default=0)
    days_to_first_purchase = models.BigIntegerField(default=0)  # summed over the buyers

    class Meta:
        verbose_name = _("acquisition cohort")
        verbose_name_plural = _("acquisition cohorts")
        constraints = [
            models.UniqueConstraint(
                fields=["run", "month", "channel", "campaign"],
                name="cohort_summary_unique",
                nulls_distinct=False,
            ),
        ]


class ValueSummary(TenantOwnedModel):
    """Buyers of one cohort whose first purchase is at least `horizon_months` old: what they
    were worth after that many months. Sums and counts, so months add up."""

    run = models.ForeignKey(SummaryRun, on_delete=models.CASCADE, related_name="values")
    month = models.DateField()
    channel = models.CharField(max_length=20)
    campaign = _summary_campaign()
    horizon_months = models.PositiveSmallIntegerField()
    customers = models.PositiveIntegerField(default=0)
    revenue = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    scored = models.PositiveIntegerField(default=0)
    score_sum = models.DecimalField(max_digits=18, decimal_places=4, default=0)
    # {"<tier id>": customers whose best tier within the horizon was this one}
    best_tiers = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("acquisition value")
        verbose_name_plural = _("acquisition values")
        constraints = [
            models.UniqueConstraint(
                fields=["run", "month", "channel", "campaign", "horizon_months"],
                name="value_summary_unique",
                nulls_distinct=False,
            ),
            models.CheckConstraint(
                condition=Q(horizon_months__in=[3, 6, 12]), name="value_summary_horizon"
            ),
        ]


class CampaignCostSummary(TenantOwnedModel):
    """What an acquisition campaign's messages cost in one month (the recipients' costs of the
    messages sent, as the campaign's results count them), for the report's per-campaign cost."""

    run = models.ForeignKey(SummaryRun, on_delete=models.CASCADE, related_name="campaign_costs")
    month = models.DateField()
    campaign = _summary_campaign(null=False)
    messages = models.PositiveIntegerField(default=0)
    amount = models.DecimalField(max_digits=18, decimal_places=2, default=0)

    class Meta:
        verbose_name = _("acquisition campaign cost")
        verbose_name_plural = _("acquisition campaign costs")
        constraints = [
            models.UniqueConstraint(
                fields=["run", "month", "campaign"], name="campaign_cost_summary_unique"
            ),
        ]
