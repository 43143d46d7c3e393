"""What the predictions leave behind: the company's prediction settings, each prediction run with
its fitted parameters, the live prediction per customer, the next-best-product suggestions, the
relationship review's flags, and the decisions managers take on them."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm.models import TenantOwnedModel
from customers.models import Customer, Product, ProductCategory

MONEY = {"max_digits": 14, "decimal_places": 2}


class PredictionSettings(TenantOwnedModel):
    """One per company: how predictions are made and which customers the review flags."""

    monthly_discount_rate = models.DecimalField(
        _("monthly discount rate"),
        max_digits=5,
        decimal_places=4,
        default=Decimal("0.0100"),
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text=_("Future purchases are worth less today: 0.01 discounts each month by 1 %."),
    )
    horizon_months = models.PositiveSmallIntegerField(
        _("prediction horizon (months)"),
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )
    propensity_days = models.PositiveSmallIntegerField(
        _("propensity window (days)"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text=_("Propensity is the probability of at least one purchase in this many days."),
    )
    min_repeat_buyers = models.PositiveIntegerField(
        _("minimum repeat buyers"),
        default=200,
        validators=[MinValueValidator(10)],
        help_text=_(
            "Below this many customers with more than one purchase day the company has "
            "too little data to predict, and no predictions are shown."
        ),
    )
    # The relationship review: the window and the rules' thresholds.
    review_window_days = models.PositiveIntegerField(
        _("review window (days)"),
        default=365,
        validators=[MinValueValidator(30), MaxValueValidator(3650)],
    )
    complaints_per_purchase = models.DecimalField(
        _("complaints per purchase above"),
        max_digits=6,
        decimal_places=2,
        default=Decimal("0.50"),
        validators=[MinValueValidator(0)],
    )
    min_complaints = models.PositiveSmallIntegerField(_("at least this many complaints"), default=3)
    late_share = models.DecimalField(
        _("share of invoices paid late above"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("0.50"),
        validators=[MinValueValidator(0), MaxValueValidator(1)],
    )
    late_days = models.PositiveSmallIntegerField(
        _("average days late above"), default=15, validators=[MaxValueValidator(3650)]
    )
    discount_percent = models.DecimalField(
        _("a purchase is a deal when below list price by"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("20.00"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("Percent below the product's list price."),
    )
    deal_share = models.DecimalField(
        _("share of purchases that are deals above"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("0.80"),
        validators=[MinValueValidator(0), MaxValueValidator(1)],
    )
    refund_share = models.DecimalField(
        _("share of purchases refunded above"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("0.30"),
        validators=[MinValueValidator(0), MaxValueValidator(1)],
    )
    min_refunds = models.PositiveSmallIntegerField(_("at least this many refunds"), default=3)
    cost_per_contact = models.DecimalField(
        _("cost of a logged contact"),
        **MONEY,
        default=Decimal("25.00"),
        validators=[MinValueValidator(0)],
    )
    cost_per_order = models.DecimalField(
        _("cost of handling an order"),
        **MONEY,
        default=Decimal("10.00"),
        validators=[MinValueValidator(0)],
    )
    cost_per_complaint = models.DecimalField(
        _("cost of handling a complaint"),
        **MONEY,
        default=Decimal("50.00"),
        validators=[MinValueValidator(0)],
    )
    cost_per_reward = models.DecimalField(
        _("cost of a reward redeemed"),
        **MONEY,
        default=Decimal("0.00"),
        validators=[MinValueValidator(0)],
        help_text=_("What one loyalty reward given out costs the company."),
    )
    cost_per_coupon = models.DecimalField(
        _("cost of a coupon redeemed"),
        **MONEY,
        default=Decimal("0.00"),
        validators=[MinValueValidator(0)],
        help_text=_("What one coupon used costs the company."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("prediction settings")
        verbose_name_plural = _("prediction settings")
        constraints = [
            models.UniqueConstraint(fields=["tenant"], name="prediction_settings_one_per_tenant"),
            models.CheckConstraint(
                condition=Q(monthly_discount_rate__gte=0) & Q(monthly_discount_rate__lte=1),
                name="prediction_settings_discount_rate_0_1",
            ),
            models.CheckConstraint(
                condition=Q(cost_per_contact__gte=0)
                & Q(cost_per_order__gte=0)
                & Q(cost_per_complaint__gte=0)
                & Q(cost_per_reward__gte=0)
                & Q(cost_per_coupon__gte=0),
                name="prediction_settings_costs_non_negative",
            ),
        ]

    def __str__(self) -> str:
        return str(_("Prediction settings"))


class PredictionStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    NOT_ENOUGH_DATA = "not_enough_data", _("Not enough data to predict")
    SKIPPED = "skipped", _("Skipped")
    FAILED = "failed", _("Failed")


class PredictionTrigger(models.TextChoices):
    NIGHTLY = "nightly", _("Nightly")
    MANUAL = "manual", _("Manual")
    COMMAND = "command", _("Command")
    DEMO = "demo", _("Demo data")


class PredictionRun(TenantOwnedModel):
    """One fit of the models for a reference date; a live run replaces the live predictions."""

    status = models.CharField(
        _("status"),
        max_length=16,
        choices=PredictionStatus.choices,
        default=PredictionStatus.QUEUED,
    )
    trigger = models.CharField(_("started by"), max_length=10, choices=PredictionTrigger.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    as_of = models.DateField(_("reference date"))
    # A run for a past date writes the live predictions only when the company asks for it.
    is_live = models.BooleanField(_("replaces the live predictions"), default=True)
    local_date = models.DateField(_("local date"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    # {"r":..., "alpha":..., "a":..., "b":..., "p":..., "q":..., "v":...}; time unit: days.
    parameters = models.JSONField(_("fitted parameters"), default=dict, blank=True)
    customers = models.PositiveIntegerField(_("customers predicted"), default=0)
    repeat_buyers = models.PositiveIntegerField(_("repeat buyers"), default=0)
    seconds = models.JSONField(_("seconds per step"), default=dict, blank=True)

    class Meta:
        verbose_name = _("prediction run")
        verbose_name_plural = _("prediction runs")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=PredictionStatus.values), name="prediction_run_valid_status"
            ),
            models.CheckConstraint(
                condition=Q(trigger__in=PredictionTrigger.values),
                name="prediction_run_valid_trigger",
            ),
            models.UniqueConstraint(
                fields=["tenant", "local_date"],
                condition=Q(trigger="nightly"),
                name="prediction_run_one_nightly_per_day",
            ),
        ]
        indexes = [models.Index(fields=["tenant", "-created_at"], name="prediction_run_latest")]

    def __str__(self) -> str:
        return f"{self.as_of} {self.get_status_display()}"


class CustomerPrediction(TenantOwnedModel):
    """The live prediction of one customer who has bought (from the last live run).

    A live run replaces every row of the tenant (a million at a time), so the table carries
    no database foreign keys and only the indexes its reads use: checking three deferred
    foreign keys per row at commit took 47 s at 1,000,000 rows (the score table does the
    same, segmentation.models._untriggered_fk). Only the prediction run writes it, from
    customers of the same tenant read in the same transaction; deleting a customer, run or
    tenant cascades through Django's collector.

    In the database the table is partitioned per tenant and per run (migration 0006): a run
    fills a fresh partition and swaps it in whole. Its primary key there is (customer,
    tenant, run), which PostgreSQL requires of a partitioned table; one run is live per
    tenant, so a customer still has one row.
    """

    tenant = models.ForeignKey(
        "crm.Tenant",
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
        db_index=False,
        verbose_name=_("tenant"),
    )
    customer = models.OneToOneField(
        Customer,
        on_delete=models.CASCADE,
        primary_key=True,
        db_constraint=False,
        related_name="prediction",
        verbose_name=_("customer"),
    )
    run = models.ForeignKey(
        PredictionRun,
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
        db_index=False,
        verbose_name=_("run"),
    )
    # The RFM summary at the run's reference date (days; see prediction/sql/summary.sql).
    frequency = models.PositiveIntegerField(_("repeat purchase days"))
    recency = models.PositiveIntegerField(_("days from first to last purchase"))
    age = models.PositiveIntegerField(_("days since first purchase"))
    monetary = models.DecimalField(_("average repeat purchase day value"), **MONEY)
    p_alive = models.FloatField(_("probability still a customer"))
    expected_purchases = models.FloatField(_("expected purchases in the horizon"))
    propensity = models.FloatField(_("probability of buying in the propensity window"))
    expected_order_value = models.DecimalField(_("expected value per purchase"), **MONEY)
    predicted_value = models.DecimalField(_("predicted value"), **MONEY)

    class Meta:
        verbose_name = _("customer prediction")
        verbose_name_plural = _("customer predictions")
        constraints = [
            models.CheckConstraint(
                condition=Q(p_alive__gte=0, p_alive__lte=1), name="prediction_p_alive_0_1"
            ),
            models.CheckConstraint(
                condition=Q(propensity__gte=0, propensity__lte=1), name="prediction_propensity_0_1"
            ),
            models.CheckConstraint(
                condition=Q(recency__lte=models.F("age")), name="prediction_r_le_t"
            ),
        ]
        indexes = [
            models.Index(
                fields=["tenant", "-predicted_value", "customer"], name="prediction_value"
            ),
            models.Index(
                fields=["tenant", "-propensity", "customer"], name="prediction_propensity"
            ),
        ]


class ItemKind(models.TextChoices):
    PRODUCT = "product", _("Product")
    CATEGORY = "category", _("Category")


class CopurchaseRule(TenantOwnedModel):
    """ "Customers who bought X also bought Y": one nightly co-purchase rule with its figures.

    A customer's next best products are the rules from what they bought to what they did not,
    read when needed (prediction.selectors.customer_suggestions).
    """

    kind = models.CharField(_("kind"), max_length=10, choices=ItemKind.choices)
    antecedent_product = models.ForeignKey(
        Product, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    antecedent_category = models.ForeignKey(
        ProductCategory, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    consequent_product = models.ForeignKey(
        Product, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    consequent_category = models.ForeignKey(
        ProductCategory, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    together = models.PositiveIntegerField(_("customers who bought both"))
    support = models.FloatField(_("support"))
    confidence = models.FloatField(_("confidence"))
    lift = models.FloatField(_("lift"))

    class Meta:
        verbose_name = _("co-purchase rule")
        verbose_name_plural = _("co-purchase rules")
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    kind="product",
                    antecedent_product__isnull=False,
                    consequent_product__isnull=False,
                    antecedent_category__isnull=True,
                    consequent_category__isnull=True,
                )
                | Q(
                    kind="category",
                    antecedent_category__isnull=False,
                    consequent_category__isnull=False,
                    antecedent_product__isnull=True,
                    consequent_product__isnull=True,
                ),
                name="copurchase_rule_items_of_its_kind",
            ),
            models.CheckConstraint(
                condition=Q(confidence__gte=0, confidence__lte=1), name="copurchase_confidence_0_1"
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "antecedent_product"], name="rule_from_product"),
            models.Index(fields=["tenant", "antecedent_category"], name="rule_from_category"),
        ]

    @property
    def item(self):
        """What is suggested."""
        return (
            self.consequent_product if self.kind == ItemKind.PRODUCT else self.consequent_category
        )

    @property
    def because(self):
        """What the customer bought that suggests it."""
        return (
            self.antecedent_product if self.kind == ItemKind.PRODUCT else self.antecedent_category
        )


class CustomerNextBest(TenantOwnedModel):
    """A customer's next best products and categories from the nightly co-purchase rules: the
    top 3 of each kind they have not bought, best first, each with the rule that suggests it
    (ranked as prediction/sql/customer_suggestions.sql ranks them). Written with the rules
    by services.suggestions.suggestions_refresh; read set-based by the segment criterion and
    the cross-sell audience (selectors.next_best_customers).

    One row per customer with arrays (a million rows a night, not six million), without
    database foreign keys, like CustomerPrediction; no index on the arrays: a criterion reads
    them in one scan of the table and joins the customers on its primary key.
    """

    tenant = models.ForeignKey(
        "crm.Tenant",
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
        db_index=False,
        verbose_name=_("tenant"),
    )
    customer = models.OneToOneField(
        Customer,
        on_delete=models.CASCADE,
        primary_key=True,
        db_constraint=False,
        related_name="next_best",
        verbose_name=_("customer"),
    )
    products = ArrayField(models.BigIntegerField(), default=list, verbose_name=_("products"))
    product_rules = ArrayField(models.BigIntegerField(), default=list)
    categories = ArrayField(
        models.BigIntegerField(), default=list, verbose_name=_("product categories")
    )
    category_rules = ArrayField(models.BigIntegerField(), default=list)

    class Meta:
        verbose_name = _("next best products of a customer")
        verbose_name_plural = _("next best products of customers")
        constraints = [
            models.CheckConstraint(
                condition=Q(products__len__lte=3) & Q(categories__len__lte=3),
                name="next_best_at_most_three",
            ),
            models.CheckConstraint(
                condition=Q(products__len=models.F("product_rules__len"))
                & Q(categories__len=models.F("category_rules__len")),
                name="next_best_a_rule_per_item",
            ),
        ]


class FlagRule(models.TextChoices):
    SERIAL_COMPLAINER = "serial_complainer", _("Serial complainer")
    LATE_PAYER = "late_payer", _("Late payer")
    DEAL_SEEKER = "deal_seeker", _("Deal seeker")
    SUSPECTED_FRAUD = "suspected_fraud", _("Suspected fraud")
    UNPROFITABLE = "unprofitable", _("Unprofitable")


class RelationshipFlag(TenantOwnedModel):
    """A customer the last review flagged: the rules they meet and the figures behind them."""

    customer = models.OneToOneField(
        Customer, on_delete=models.CASCADE, related_name="+", verbose_name=_("customer")
    )
    rules = ArrayField(models.CharField(max_length=20, choices=FlagRule.choices))
    # The window's figures, e.g. {"complaints": 4, "purchases": 5, "margin": "120.00", ...}.
    evidence = models.JSONField(_("evidence"), default=dict)
    # Margin minus cost to serve over the window: the review's sort order (worst first).
    profit = models.DecimalField(_("margin minus cost to serve"), **MONEY)
    reviewed_at = models.DateTimeField(_("reviewed at"))

    class Meta:
        verbose_name = _("relationship flag")
        verbose_name_plural = _("relationship flags")
        constraints = [
            models.CheckConstraint(condition=~Q(rules=[]), name="flag_has_a_rule"),
        ]
        indexes = [
            models.Index(fields=["tenant", "profit", "customer"], name="flag_profit"),
            GinIndex(fields=["rules"], name="flag_rules"),
        ]

    @property
    def rule_labels(self) -> list[str]:
        return [FlagRule(rule).label for rule in self.rules]


class DecisionAction(models.TextChoices):
    RAISE_PRICE = "raise_price", _("Raise the price")
    RESPECIFY = "respecify", _("Re-specify the product")
    UNBUNDLE = "unbundle", _("Unbundle")
    KEEP = "keep", _("Keep as is")
    TERMINATE = "terminate", _("End the relationship")


class RelationshipDecision(TenantOwnedModel):
    """What a manager decided about a flagged customer, and why (history, never edited)."""

    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="+", verbose_name=_("customer")
    )
    action = models.CharField(_("action"), max_length=12, choices=DecisionAction.choices)
    reason = models.TextField(_("reason"))
    rules = models.JSONField(_("flags at the time"), default=list, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), default=timezone.now)

    class Meta:
        verbose_name = _("relationship decision")
        verbose_name_plural = _("relationship decisions")
        ordering = ["-decided_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(action__in=DecisionAction.values), name="decision_valid_action"
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="decision_has_reason"),
        ]
        indexes = [models.Index(fields=["customer", "-decided_at"], name="decision_customer")]


class BackTest(TenantOwnedModel):
    """A fit up to a cut-off date scored against what the customers then did."""

    status = models.CharField(
        _("status"),
        max_length=16,
        choices=PredictionStatus.choices,
        default=PredictionStatus.QUEUED,
    )
    cutoff = models.DateField(_("cut-off date"))
    holdout_days = models.PositiveSmallIntegerField(
        _("holdout (days)"), validators=[MinValueValidator(7), MaxValueValidator(730)]
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    parameters = models.JSONField(_("fitted parameters"), default=dict, blank=True)
    # {"by_frequency": [[x, customers, predicted, actual], ...],
    #  "over_time": [[day, predicted cumulative, actual cumulative], ...],
    #  "customers": n, "predicted_total": f, "actual_total": f, "mae": f}
    results = models.JSONField(_("results"), default=dict, blank=True)

    class Meta:
        verbose_name = _("back-test")
        verbose_name_plural = _("back-tests")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=PredictionStatus.values), name="backtest_valid_status"
            ),
        ]
