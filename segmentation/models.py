"""Value keys (what a tenant values in a customer and how much), the tiers of the customer
pyramid, and what every recompute leaves behind: the run, the current score per customer with
its explanation, tier history, pins and the per-run summaries the dashboard reads."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Cast, Floor
from django.utils import timezone
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from crm.models import TenantOwnedModel
from customers.models import (
    AcquisitionChannel,
    ConsentChannel,
    Customer,
    CustomerKind,
    LifecycleStage,
)
from segmentation.metrics import METRICS

MAX_ABS_WEIGHT = 100


class Normalisation(models.TextChoices):
    PERCENTILE = "percentile", _("Percentile rank")
    MIN_MAX = "min_max", _("Min–max")
    LOG_MIN_MAX = "log_min_max", _("Log-scaled min–max")


def metric_choices() -> list[tuple[str, str]]:
    return [(key, metric.label) for key, metric in METRICS.items()]


class ValueKey(TenantOwnedModel):
    """One quality a tenant values in a customer: a catalogue metric with a weight and window."""

    metric = models.CharField(
        _("metric"),
        max_length=40,
        choices=metric_choices,
        help_text=_("What is measured for each customer (see the description of each metric)."),
    )
    weight = models.DecimalField(
        _("weight"),
        max_digits=6,
        decimal_places=2,
        validators=[MinValueValidator(-MAX_ABS_WEIGHT), MaxValueValidator(MAX_ABS_WEIGHT)],
        help_text=_(
            "How much this key counts, between -100 and 100. Use a negative weight for a "
            "penalty (complaints, late payments): the more of it, the lower the score."
        ),
    )
    window_days = models.PositiveIntegerField(
        _("window (days)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(3650)],
        help_text=_("Only the last N days count. Leave empty for all time."),
    )
    normalisation = models.CharField(
        _("normalisation"),
        max_length=20,
        choices=Normalisation.choices,
        default=Normalisation.PERCENTILE,
        help_text=_(
            "How raw values become 0–1: percentile rank (robust to outliers, the default), "
            "min–max (keeps distances), or log-scaled min–max (tames a few huge values)."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)
    description = models.TextField(
        _("description"), blank=True, help_text=_("Shown to users next to the score.")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("value key")
        verbose_name_plural = _("value keys")
        ordering = ["order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(weight__gte=-MAX_ABS_WEIGHT) & Q(weight__lte=MAX_ABS_WEIGHT),
                name="value_key_weight_in_range",
            ),
            models.CheckConstraint(
                condition=Q(window_days__isnull=True) | Q(window_days__gte=1),
                name="value_key_window_positive",
            ),
            models.CheckConstraint(
                condition=Q(normalisation__in=Normalisation.values),
                name="value_key_valid_normalisation",
            ),
        ]
        indexes = [models.Index(fields=["tenant", "is_active", "order"], name="value_key_active")]

    def __str__(self) -> str:
        return f"{self.get_metric_display()} ×{self.weight}"

    # No CheckConstraint on `metric`: a new catalogue metric must not need a migration.


class Tier(TenantOwnedModel):
    """One level of the pyramid, counted from the peak (position 1)."""

    position = models.PositiveSmallIntegerField(
        _("position"), help_text=_("1 is the peak of the pyramid; each next tier is below it.")
    )
    name_tr = models.CharField(_("name (Turkish)"), max_length=60)
    name_en = models.CharField(_("name (English)"), max_length=60)
    share_percent = models.DecimalField(
        _("share of active customers (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_(
            "The tier holds at most this share of active customers (rounded down); the "
            "shares of all tiers add up to 100. Leave empty to use a score threshold instead."
        ),
    )
    min_score = models.DecimalField(
        _("score threshold"),
        max_digits=7,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_(
            "Customers scoring at least this (0–100) enter the tier. Thresholds go down from "
            "the peak; the lowest tier takes everyone else."
        ),
    )
    colour = models.CharField(
        _("colour"),
        max_length=7,
        default="#6c757d",
        validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Use a colour like #c0c0c0."))],
    )
    strategy = models.TextField(
        _("strategy"), blank=True, help_text=_("How the company treats customers in this tier.")
    )

    class Meta:
        verbose_name = _("tier")
        verbose_name_plural = _("tiers")
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "position"], name="tier_position_per_tenant"),
            models.CheckConstraint(
                condition=Q(share_percent__isnull=True)
                | Q(share_percent__gte=0, share_percent__lte=100),
                name="tier_share_0_100",
            ),
            models.CheckConstraint(
                condition=Q(min_score__isnull=True) | Q(min_score__gte=0, min_score__lte=100),
                name="tier_threshold_0_100",
            ),
            models.CheckConstraint(
                condition=Q(share_percent__isnull=True) | Q(min_score__isnull=True),
                name="tier_share_or_threshold",
            ),
            models.CheckConstraint(
                condition=Q(colour__regex=r"^#[0-9a-fA-F]{6}$"), name="tier_colour_hex"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        """The name in the active language (Turkish unless English is active)."""
        return self.name_en if (get_language() or "tr").startswith("en") else self.name_tr


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Skipped: already running")


class RunTrigger(models.TextChoices):
    NIGHTLY = "nightly", _("Nightly")
    MANUAL = "manual", _("Started by a user")
    COMMAND = "command", _("Management command")
    DEMO = "demo", _("Demo data")


class ScoreRun(TenantOwnedModel):
    """One recompute of a tenant's scores; its weights snapshot explains every score it wrote."""

    status = models.CharField(
        _("status"), max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED
    )
    trigger = models.CharField(_("started by"), max_length=10, choices=RunTrigger.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    # The tenant's local date of a nightly run: one nightly run per tenant and day.
    local_date = models.DateField(_("local date"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    # [{"value_key": id, "metric": "revenue", "weight": "3.00", "window_days": 365,
    #   "normalisation": "percentile", "direction": "higher"}, ...] in the order of the
    # arrays in CustomerScore.
    weights = models.JSONField(_("weights used"), default=list, blank=True)
    # {"<tier id>": n, "inactive": n, "prospect": n}
    tier_counts = models.JSONField(_("customers per tier"), default=dict, blank=True)
    customers_scored = models.PositiveIntegerField(_("customers scored"), default=0)
    customers_total = models.PositiveIntegerField(_("customers"), default=0)
    tier_changes = models.PositiveIntegerField(_("tier changes"), default=0)
    seconds = models.JSONField(_("seconds per step"), default=dict, blank=True)

    class Meta:
        verbose_name = _("score run")
        verbose_name_plural = _("score runs")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=RunStatus.values), name="score_run_valid_status"
            ),
            models.CheckConstraint(
                condition=Q(trigger__in=RunTrigger.values), name="score_run_valid_trigger"
            ),
            models.UniqueConstraint(
                fields=["tenant", "local_date"],
                condition=Q(trigger="nightly"),
                name="score_run_one_nightly_per_day",
            ),
            models.CheckConstraint(
                condition=~Q(trigger="nightly") | Q(local_date__isnull=False),
                name="score_run_nightly_has_date",
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "-created_at"], name="score_run_latest"),
            models.Index(
                fields=["tenant", "-finished_at"],
                condition=Q(status="succeeded"),
                name="score_run_latest_succeeded",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.get_status_display()}"

    @property
    def is_finished(self) -> bool:
        return self.status in (RunStatus.SUCCEEDED, RunStatus.FAILED, RunStatus.SKIPPED)


class ScoreStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    INACTIVE = "inactive", _("Inactive")
    PROSPECT = "prospect", _("Prospect")


# The two tables a recompute writes a row per customer into (CustomerScore, TierChange) keep their
# foreign keys without database triggers (db_constraint=False): measured here, four FK checks
# made inserting 1,000,000 rows 10× slower (28 s instead of 2.7 s). Only the recompute and the
# pin services write them, from rows of the same tenant read in the same transaction; deletes
# cascade through Django's collector, and the recompute drops rows of customers that are gone.
def _untriggered_fk(to, **kwargs):
    return models.ForeignKey(
        to, on_delete=kwargs.pop("on_delete", models.DO_NOTHING), db_constraint=False, **kwargs
    )


class CustomerScore(TenantOwnedModel):
    """A customer's current score, rank and tier, with the per-key explanation as arrays.

    The arrays follow the key order of the tenant's latest run (ScoreRun.weights); one row per
    customer instead of one per customer and key keeps a 1,000,000-customer recompute inside its
    time budget. ScoreContribution (a database view) unfolds them into rows.
    """

    tenant = _untriggered_fk(
        "crm.Tenant", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    customer = models.OneToOneField(
        Customer,
        on_delete=models.CASCADE,
        primary_key=True,
        db_constraint=False,
        related_name="score",
        verbose_name=_("customer"),
    )
    run = _untriggered_fk(
        ScoreRun,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        verbose_name=_("last changed by run"),
    )
    status = models.CharField(_("status"), max_length=10, choices=ScoreStatus.choices)
    score = models.DecimalField(_("score"), max_digits=7, decimal_places=4, null=True)
    # The score's whole part (0–100), for the customer list's sort by score: its index changes
    # only for the customers whose score crosses a whole number, so the nightly UPDATE of the
    # others stays HOT; the list walks the index and sorts each band's rows (incremental sort).
    score_band = models.GeneratedField(
        expression=Cast(Floor("score"), models.SmallIntegerField()),
        output_field=models.SmallIntegerField(null=True),
        db_persist=True,
    )
    rank = models.PositiveIntegerField(_("rank"), null=True)
    percentile = models.DecimalField(_("percentile"), max_digits=7, decimal_places=4, null=True)
    computed_tier = _untriggered_fk(
        Tier,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        db_index=False,
        verbose_name=_("computed tier"),
    )
    tier = _untriggered_fk(
        Tier,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        db_index=False,
        verbose_name=_("tier"),
    )
    is_pinned = models.BooleanField(_("pinned"), default=False)
    # A copy of the customer's Customer.name_sort_key, kept equal to it by the database
    # (migration 0012: the recompute's insert copies it, a trigger on the customers follows a
    # rename, another fills any other insert), so that a tier's customers come in name order
    # from the (tenant, tier, name) index: the customer list filtered by a tier, sorted by name,
    # reads a page of that index instead of probing the tier's customers in the name order of
    # the whole tenant (the peak tier is 1 % of them).
    name_sort_key = models.CharField(max_length=301, db_collation="C", null=True, editable=False)
    raw_values = ArrayField(models.FloatField(null=True), default=list)
    normalised_values = ArrayField(models.FloatField(null=True), default=list)
    contributions = ArrayField(models.FloatField(null=True), default=list)

    class Meta:
        verbose_name = _("customer score")
        verbose_name_plural = _("customer scores")
        constraints = [
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=0, score__lte=100),
                name="customer_score_0_100",
            ),
            models.CheckConstraint(
                condition=Q(status__in=ScoreStatus.values), name="customer_score_valid_status"
            ),
        ]
        # Only indexes on columns a recompute rarely changes, and the table is stored with
        # fillfactor 50 (migration 0002): the nightly UPDATE of every row then stays a HOT update
        # (no index writes) — measured 3.7 s instead of ~19 s for 630,000 rows. Lists by rank
        # go through (tenant, tier) and sort the tier's rows; the list's sort by score through
        # the whole-number band of the score (a customer's band rarely changes overnight).
        indexes = [
            # Also serves every lookup by (tenant, tier) alone.
            models.Index(
                fields=["tenant", "tier", "name_sort_key", "customer"],
                name="customer_score_tier_name",
            ),
            models.Index(
                F("tenant"), F("score_band").desc(nulls_last=True), name="customer_score_band"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.score}"


class ScoreContribution(models.Model):
    """Why a customer has their score: one row per value key (a view over CustomerScore).

    contribution is in score points: what the key adds to the 0–100 score (see services/).
    """

    id = models.BigIntegerField(primary_key=True)
    tenant = models.ForeignKey(
        "crm.Tenant", on_delete=models.DO_NOTHING, related_name="+", db_constraint=False
    )
    customer = models.ForeignKey(
        Customer, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False
    )
    run = models.ForeignKey(
        ScoreRun, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False
    )
    value_key = models.ForeignKey(
        ValueKey, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False, null=True
    )
    position = models.PositiveSmallIntegerField()
    metric = models.CharField(max_length=40)
    weight = models.DecimalField(max_digits=6, decimal_places=2)
    raw_value = models.FloatField(null=True)
    normalised_value = models.FloatField(null=True)
    contribution = models.FloatField(null=True)

    class Meta:
        managed = False
        db_table = "segmentation_scorecontribution"
        verbose_name = _("score contribution")
        verbose_name_plural = _("score contributions")
        ordering = ["position"]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.metric}: {self.contribution}"


class TierPin(TenantOwnedModel):
    """A manager's decision that a customer stays in a tier, whatever the score says."""

    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="tier_pins", verbose_name=_("customer")
    )
    tier = models.ForeignKey(
        Tier, on_delete=models.CASCADE, related_name="pins", verbose_name=_("tier")
    )
    reason = models.TextField(_("reason"))
    until = models.DateField(
        _("until"), null=True, blank=True, help_text=_("Leave empty to keep the pin until removed.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    pinned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("pinned by"),
    )
    created_at = models.DateTimeField(_("pinned at"), default=timezone.now)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("removed by"),
    )
    removed_at = models.DateTimeField(_("removed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("tier pin")
        verbose_name_plural = _("tier pins")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer"], condition=Q(is_active=True), name="tier_pin_one_active"
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="tier_pin_has_reason"),
        ]
        indexes = [
            models.Index(
                fields=["tenant", "customer"], condition=Q(is_active=True), name="tier_pin_active"
            )
        ]


class TierChangeReason(models.TextChoices):
    # Not the button's "Recompute": a reason in the tier history, its own message in Turkish.
    RECOMPUTE = "recompute", pgettext_lazy("tier change reason", "Score recalculation")
    PINNED = "pinned", _("Pinned by hand")
    UNPINNED = "unpinned", _("Pin removed")


class TierChange(TenantOwnedModel):
    """A customer moving from one tier to another (None: outside the pyramid)."""

    tenant = _untriggered_fk(
        "crm.Tenant", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    customer = _untriggered_fk(
        Customer,
        on_delete=models.CASCADE,
        related_name="tier_changes",
        db_index=False,
        verbose_name=_("customer"),
    )
    from_tier = _untriggered_fk(
        Tier,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        verbose_name=_("from"),
    )
    to_tier = _untriggered_fk(
        Tier,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        verbose_name=_("to"),
    )
    run = _untriggered_fk(
        ScoreRun,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="tier_change_rows",
        verbose_name=_("run"),
    )
    reason = models.CharField(_("reason"), max_length=10, choices=TierChangeReason.choices)
    note = models.TextField(_("note"), blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    changed_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("tier change")
        verbose_name_plural = _("tier changes")
        ordering = ["-changed_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(reason__in=TierChangeReason.values), name="tier_change_valid_reason"
            ),
        ]
        indexes = [
            models.Index(fields=["customer", "-changed_at"], name="tier_change_customer"),
            models.Index(fields=["tenant", "-changed_at"], name="tier_change_period"),
        ]


class RunTierSummary(TenantOwnedModel):
    """Per run: customers, revenue and margin per tier (tier None: inactive or prospects)."""

    run = models.ForeignKey(ScoreRun, on_delete=models.CASCADE, related_name="tier_summaries")
    tier = models.ForeignKey(Tier, on_delete=models.SET_NULL, null=True, related_name="+")
    status = models.CharField(max_length=10, choices=ScoreStatus.choices)
    customers = models.PositiveIntegerField(default=0)
    revenue = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    margin = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    average_score = models.DecimalField(max_digits=7, decimal_places=4, null=True)
    # The lowest score that made it into the tier, pins aside: "points to the next tier" on the
    # customer page. NULL for runs from before it was summarised (migration 0015).
    lowest_score = models.DecimalField(max_digits=7, decimal_places=4, null=True)

    class Meta:
        verbose_name = _("tier summary")
        verbose_name_plural = _("tier summaries")
        constraints = [
            models.UniqueConstraint(
                fields=["run", "tier", "status"],
                nulls_distinct=False,
                name="run_tier_summary_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tier_id or self.status}: {self.customers}"


class RunTransitionSummary(TenantOwnedModel):
    """Per run: how many customers went from each tier of the previous run to each tier."""

    run = models.ForeignKey(ScoreRun, on_delete=models.CASCADE, related_name="transitions")
    from_tier = models.ForeignKey(Tier, on_delete=models.SET_NULL, null=True, related_name="+")
    to_tier = models.ForeignKey(Tier, on_delete=models.SET_NULL, null=True, related_name="+")
    customers = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("tier transition summary")
        verbose_name_plural = _("tier transition summaries")
        constraints = [
            models.UniqueConstraint(
                fields=["run", "from_tier", "to_tier"],
                nulls_distinct=False,
                name="run_transition_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_tier_id} → {self.to_tier_id}: {self.customers}"


# --- The dashboard's per-customer facts, the four classes, saved segments and snapshots --------
#
# Written by the recompute's "dashboard" step (services/dashboard_summaries.py), read by the
# dashboard, the vertical breakdown and segment membership (selectors/segments.py).


class CustomerClass(models.TextChoices):
    """The four classes of customer the company tells apart (definitions: ClassSettings)."""

    MOST_IMPORTANT = "most_important", _("Most important")
    FASTEST_GROWING = "fastest_growing", _("Fastest-growing")
    CURRENT = "current", _("Current")
    POTENTIAL = "potential", _("Potential")
    OTHER = "other", _("Other inactive customers and prospects")


class GrowthBand(models.TextChoices):
    """Revenue in the window against the window before it."""

    NEW = "new", _("New: nothing in the previous window")
    FALLING_FAST = "falling_fast", _("Falling fast (below −50%)")
    FALLING = "falling", _("Falling (−50% to −10%)")
    STEADY = "steady", _("Steady (−10% to +10%)")
    GROWING = "growing", _("Growing (+10% to +50%)")
    GROWING_FAST = "growing_fast", _("Growing fast (+50% or more)")
    NONE = "none", _("No revenue in either window")


class ClassSettings(TenantOwnedModel):
    """A company's thresholds for the four classes (one row per tenant; defaults if none)."""

    peak_tiers = models.PositiveSmallIntegerField(
        _("peak tiers"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text=_("Customers in this many tiers from the peak are the most important."),
    )
    growth_percent = models.DecimalField(
        _("fastest-growing threshold (%)"),
        max_digits=7,
        decimal_places=2,
        default=50,
        validators=[MinValueValidator(0), MaxValueValidator(10000)],
        help_text=_(
            "Active customers below the peak whose revenue in the window grew at least this "
            "much over the window before are fastest-growing."
        ),
    )
    contact_days = models.PositiveIntegerField(
        _("recent contact (days)"),
        default=90,
        validators=[MinValueValidator(1), MaxValueValidator(3650)],
        help_text=_(
            "Inactive customers and prospects contacted within this many days are potential "
            "customers, as are those sharing region, industry and channel with the most "
            "important ones."
        ),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("customer class settings")
        verbose_name_plural = _("customer class settings")
        constraints = [
            models.UniqueConstraint(fields=["tenant"], name="class_settings_one_per_tenant"),
            models.CheckConstraint(
                condition=Q(peak_tiers__gte=1), name="class_settings_peak_tiers_positive"
            ),
            models.CheckConstraint(
                condition=Q(growth_percent__gte=0), name="class_settings_growth_non_negative"
            ),
            models.CheckConstraint(
                condition=Q(contact_days__gte=1), name="class_settings_contact_days_positive"
            ),
        ]


class CustomerFacts(TenantOwnedModel):
    """What the last recompute knew of a customer, for the dashboard and segments: tier, status,
    class, revenue and margin in the window, revenue growth and the categories bought."""

    tenant = _untriggered_fk(
        "crm.Tenant", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    customer = models.OneToOneField(
        Customer,
        on_delete=models.CASCADE,
        primary_key=True,
        db_constraint=False,
        related_name="facts",
        verbose_name=_("customer"),
    )
    run = _untriggered_fk(ScoreRun, related_name="+", db_index=False)
    status = models.CharField(_("status"), max_length=10, choices=ScoreStatus.choices)
    tier = _untriggered_fk(
        Tier, on_delete=models.SET_NULL, null=True, related_name="+", db_index=False
    )
    # No score: it changes for nearly every customer every night (recency), and a copy here would
    # have the recompute rewrite every facts row too; it is the score row's (Customer.score).
    revenue = models.DecimalField(_("revenue"), max_digits=16, decimal_places=2, default=0)
    margin = models.DecimalField(_("margin"), max_digits=16, decimal_places=2, default=0)
    growth_revenue = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    previous_revenue = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    growth_percent = models.DecimalField(max_digits=12, decimal_places=2, null=True)
    growth_band = models.CharField(_("revenue growth"), max_length=12, choices=GrowthBand.choices)
    customer_class = models.CharField(_("class"), max_length=16, choices=CustomerClass.choices)
    last_purchase_at = models.DateTimeField(_("last purchase"), null=True)
    category_ids = ArrayField(models.BigIntegerField(), default=list)

    class Meta:
        verbose_name = _("customer facts")
        verbose_name_plural = _("customer facts")
        indexes = [
            models.Index(fields=["tenant", "tier"], name="customer_facts_tier"),
            models.Index(fields=["tenant", "customer_class"], name="customer_facts_class"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(customer_class__in=CustomerClass.values),
                name="customer_facts_valid_class",
            ),
            models.CheckConstraint(
                condition=Q(growth_band__in=GrowthBand.values), name="customer_facts_valid_band"
            ),
        ]


# The criteria rows' choice columns hold the value's position in these lists (1, 2, ...; 0 for
# a value outside them, which no criterion can choose). The live count scans every row for
# broad criteria: codes made the rows ~20 % narrower (migration 0014, whose triggers and the
# recompute's dashboard_criteria_rows.sql encode with these lists; a test keeps them equal).
CRITERIA_CODES: dict[str, tuple[str, ...]] = {
    "status": tuple(ScoreStatus.values),
    "customer_class": tuple(CustomerClass.values),
    "growth_band": tuple(GrowthBand.values),
    "kind": tuple(CustomerKind.values),
    "lifecycle_stage": tuple(LifecycleStage.values),
    "acquisition_channel": tuple(AcquisitionChannel.values),
}


def criteria_code(column: str, value: str) -> int:
    """A choice's code in the criteria rows (0 for a value outside the choices)."""
    choices = CRITERIA_CODES[column]
    return choices.index(value) + 1 if value in choices else 0


class CriteriaRow(TenantOwnedModel):
    """Everything a segment criterion reads of one customer, in one narrow row: the builder's
    live count (segment_selectors.criteria_figures) counts and sums these rows instead of
    joining the wide customers table (423 MB at 1,000,000 customers) to the facts and scores.

    Kept equal to its sources by the database (migration 0013), whoever writes them: statement
    triggers with transition tables on the customers (their dimensions, tags, consent and
    archiving), on the facts (the last run's tier, status, class, growth, revenue, last purchase
    and categories; NULL while the customer has no facts row) and on the scores (the score's
    whole-number band; the exact score is read from the score row for the one band a score
    criterion cuts through). One set-based statement per write, so a recompute's update of a
    million facts or scores adds one join, not a million trigger calls.
    """

    tenant = _untriggered_fk(
        "crm.Tenant", on_delete=models.DO_NOTHING, related_name="+", db_index=False
    )
    # The customers' trigger deletes the row with its customer: no collector query on deletes.
    customer = models.OneToOneField(
        Customer,
        on_delete=models.DO_NOTHING,
        primary_key=True,
        db_constraint=False,
        related_name="criteria_row",
    )
    tier = _untriggered_fk(
        Tier, on_delete=models.DO_NOTHING, null=True, related_name="+", db_index=False
    )
    last_purchase_at = models.DateTimeField(null=True)
    revenue = models.DecimalField(max_digits=16, decimal_places=2, null=True)
    score_band = models.SmallIntegerField(null=True)
    archived = models.BooleanField(default=False)
    consent_email = models.BooleanField(default=False)
    consent_sms = models.BooleanField(default=False)
    consent_phone = models.BooleanField(default=False)
    # Choice columns as small codes (CRITERIA_CODES): 2 bytes instead of 6–16 of text.
    status = models.SmallIntegerField(null=True)
    customer_class = models.SmallIntegerField(null=True)
    growth_band = models.SmallIntegerField(null=True)
    kind = models.SmallIntegerField()
    lifecycle_stage = models.SmallIntegerField()
    acquisition_channel = models.SmallIntegerField()
    region = models.CharField(max_length=50)
    city = models.CharField(max_length=100)
    industry = models.CharField(max_length=100)
    # NULL for no tags or no categories: an empty array is 16 bytes of a ~190-byte row, and
    # overlaps nothing either way.
    tags = ArrayField(models.CharField(max_length=50), null=True)
    category_ids = ArrayField(models.BigIntegerField(), null=True)

    class Meta:
        verbose_name = _("segment criteria row")
        verbose_name_plural = _("segment criteria rows")
        indexes = [models.Index(fields=["tenant", "tier"], name="criteria_row_tier")]


class RunFigures(TenantOwnedModel):
    """The key figures of a run, for comparing each with the run before."""

    run = models.OneToOneField(ScoreRun, on_delete=models.CASCADE, related_name="figures")
    customers = models.PositiveIntegerField(default=0)
    active = models.PositiveIntegerField(default=0)
    revenue = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    margin = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    # Buyers (active or inactive) who were prospects or unknown in the previous run.
    new_customers = models.PositiveIntegerField(default=0)
    # Active in this run and in the previous one; previous_active is the rate's denominator.
    retained = models.PositiveIntegerField(default=0)
    previous_active = models.PositiveIntegerField(default=0)
    average_score = models.DecimalField(max_digits=7, decimal_places=4, null=True)
    # Who moved up and down in this run, biggest revenue first: {"up": [customer ids],
    # "down": [...]} (the dashboard's lists, without sorting the run's tier changes per view).
    movers = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("run figures")
        verbose_name_plural = _("run figures")


class RunClassSummary(TenantOwnedModel):
    """Per run: customers, revenue and margin per class."""

    run = models.ForeignKey(ScoreRun, on_delete=models.CASCADE, related_name="class_summaries")
    customer_class = models.CharField(max_length=16, choices=CustomerClass.choices)
    customers = models.PositiveIntegerField(default=0)
    revenue = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    margin = models.DecimalField(max_digits=18, decimal_places=2, default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["run", "customer_class"], name="run_class_summary_unique"
            ),
        ]


class Dimension(models.TextChoices):
    """What a tier's customers are split by (the vertical segmentation)."""

    REGION = "region", _("Region")
    CITY = "city", _("Province")
    INDUSTRY = "industry", _("Industry")
    ACQUISITION_CHANNEL = "acquisition_channel", _("Acquisition channel")
    LIFECYCLE_STAGE = "lifecycle_stage", _("Lifecycle stage")
    KIND = "kind", _("Customer type")
    CATEGORY = "category", _("Product category bought in the window")
    GROWTH_BAND = "growth_band", _("Revenue growth")


class RunDimensionSummary(TenantOwnedModel):
    """Per run: customers, revenue, margin and score sum per tier (and status) × dimension value.

    The value is the customer field's value ('' when not given); for categories, the category
    id as text (a customer who bought in two categories counts in both)."""

    run = models.ForeignKey(ScoreRun, on_delete=models.CASCADE, related_name="dimension_cells")
    dimension = models.CharField(max_length=20, choices=Dimension.choices)
    value = models.CharField(max_length=200)
    tier = models.ForeignKey(Tier, on_delete=models.SET_NULL, null=True, related_name="+")
    status = models.CharField(max_length=10, choices=ScoreStatus.choices)
    customers = models.PositiveIntegerField(default=0)
    revenue = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    margin = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    score_sum = models.DecimalField(max_digits=18, decimal_places=4, null=True)
    scored = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["run", "dimension"], name="run_dimension_cells"),
        ]


class StrategyType(models.TextChoices):
    GROW = "grow", _("Grow")
    KEEP = "keep", _("Keep")
    WIN_BACK = "win_back", _("Win back")
    REDUCE_COST = "reduce_cost", _("Reduce cost to serve")
    END = "end", _("End the relationship")


class OutsideGroup(models.TextChoices):
    """Customers outside the pyramid a segment may take besides tiers."""

    INACTIVE = "inactive", _("Inactive")
    PROSPECT = "prospect", _("Prospects")


def _choice_array(verbose_name, choices=None, max_length: int = 100):
    return ArrayField(
        models.CharField(max_length=max_length, choices=choices),
        default=list,
        blank=True,
        verbose_name=verbose_name,
    )


class Segment(TenantOwnedModel):
    """A saved group of customers: tiers (horizontal), dimension values (vertical), further
    filters, and the strategy the company follows with them. Empty criteria take everyone;
    values within one criterion are alternatives (OR), criteria combine with AND.
    Membership: selectors.segments.segment_members(tenant=, segment=)."""

    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    tiers = models.ManyToManyField(
        Tier, blank=True, related_name="segments", verbose_name=_("tiers")
    )
    outside_groups = _choice_array(_("outside the pyramid"), OutsideGroup.choices, 10)
    regions = _choice_array(_("regions"))
    cities = _choice_array(_("provinces"))
    industries = _choice_array(_("industries"))
    acquisition_channels = _choice_array(_("acquisition channels"), max_length=20)
    lifecycle_stages = _choice_array(_("lifecycle stages"), max_length=20)
    kinds = _choice_array(_("customer types"), max_length=10)
    categories = models.ManyToManyField(
        "customers.ProductCategory",
        blank=True,
        related_name="+",
        verbose_name=_("product categories bought in the window"),
    )
    growth_bands = _choice_array(_("revenue growth"), GrowthBand.choices, 12)
    customer_classes = _choice_array(_("classes"), CustomerClass.choices, 16)
    last_purchase_after = models.DateField(_("last purchase on or after"), null=True, blank=True)
    last_purchase_before = models.DateField(_("last purchase before"), null=True, blank=True)
    tags = _choice_array(_("tags (any of)"), max_length=50)
    consent_channel = models.CharField(
        _("consent for"), max_length=10, blank=True, choices=ConsentChannel.choices
    )
    score_min = models.DecimalField(
        _("score from"),
        max_digits=7,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    score_max = models.DecimalField(
        _("score up to"),
        max_digits=7,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    # Criteria other apps register (segmentation/criteria.py): {criterion key: JSON value}.
    extra_criteria = models.JSONField(_("further criteria"), default=dict, blank=True)
    strategy_type = models.CharField(
        _("strategy"), max_length=12, choices=StrategyType.choices, default=StrategyType.KEEP
    )
    strategy = models.TextField(
        _("strategy in words"),
        blank=True,
        help_text=_("What the company does with these customers."),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("segment")
        verbose_name_plural = _("segments")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="segment_name_per_tenant"),
            models.CheckConstraint(
                condition=Q(strategy_type__in=StrategyType.values),
                name="segment_valid_strategy_type",
            ),
            models.CheckConstraint(
                condition=Q(score_min__isnull=True)
                | Q(score_max__isnull=True)
                | Q(score_min__lte=models.F("score_max")),
                name="segment_score_range_ordered",
            ),
            models.CheckConstraint(
                condition=Q(last_purchase_after__isnull=True)
                | Q(last_purchase_before__isnull=True)
                | Q(last_purchase_after__lt=models.F("last_purchase_before")),
                name="segment_purchase_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class SegmentRunSize(TenantOwnedModel):
    """A segment's size and revenue as of each run (written by the recompute)."""

    segment = models.ForeignKey(Segment, on_delete=models.CASCADE, related_name="run_sizes")
    run = models.ForeignKey(ScoreRun, on_delete=models.CASCADE, related_name="+")
    customers = models.PositiveIntegerField(default=0)
    revenue = models.DecimalField(max_digits=18, decimal_places=2, default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["segment", "run"], name="segment_run_size_unique"),
        ]


class SegmentSnapshot(TenantOwnedModel):
    """Who was in a segment at a moment: a frozen list (e.g. a campaign's audience).
    Made by services.segments.segment_snapshot_create; the segment may later be deleted,
    its name stays."""

    segment = models.ForeignKey(
        Segment,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="snapshots",
        verbose_name=_("segment"),
    )
    segment_name = models.CharField(_("segment name"), max_length=120)
    run = models.ForeignKey(
        ScoreRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    members_count = models.PositiveIntegerField(_("customers"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("frozen by"),
    )
    created_at = models.DateTimeField(_("frozen at"), default=timezone.now)

    class Meta:
        verbose_name = _("segment snapshot")
        verbose_name_plural = _("segment snapshots")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.segment_name} ({self.created_at:%Y-%m-%d %H:%M})"


class SegmentSnapshotMember(TenantOwnedModel):
    """One customer of a snapshot, with their tier and score at that moment.

    A snapshot writes a row per member in one INSERT ... SELECT from rows of the same tenant
    (a campaign's start freezes 200,000), so the foreign keys have no database triggers: their
    deferred checks at commit (one FOR KEY SHARE lookup per row and key) took longer than the
    insert itself. Deletes cascade through Django's collector; the snapshot's and the tenant's
    own indexes are left out (the unique (snapshot, customer) serves both)."""

    tenant = models.ForeignKey(
        "crm.Tenant", on_delete=models.CASCADE, related_name="+", verbose_name=_("tenant"),
        db_constraint=False, db_index=False,
    )  # fmt: skip
    snapshot = models.ForeignKey(
        SegmentSnapshot, on_delete=models.CASCADE, related_name="members",
        db_constraint=False, db_index=False,
    )  # fmt: skip
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    tier = models.ForeignKey(
        Tier, on_delete=models.SET_NULL, null=True, related_name="+", db_constraint=False
    )
    score = models.DecimalField(max_digits=7, decimal_places=4, null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["snapshot", "customer"], name="segment_snapshot_member_unique"
            ),
        ]


class HandPickedCustomer(TenantOwnedModel):
    """A customer added to a segment by hand ("Add to segment" on the customer list).

    A hand-picked customer is in the segment whatever its criteria say: membership is the
    criteria's customers OR the hand-picked ones (segment_selectors.segment_members). Rows are
    written by services.hand_picked from customers of the segment's tenant only."""

    segment = models.ForeignKey(
        Segment, on_delete=models.CASCADE, related_name="hand_picked", verbose_name=_("segment")
    )
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="+", verbose_name=_("customer")
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("added by"),
    )
    added_at = models.DateTimeField(_("added at"), default=timezone.now)

    class Meta:
        verbose_name = _("hand-picked customer")
        verbose_name_plural = _("hand-picked customers")
        ordering = ["-added_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["segment", "customer"], name="hand_picked_customer_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.segment_id}: {self.customer_id}"
