"""Loyalty: the programme, its members and their points ledger, rewards, coupons, cashback.

The ledger (PointsEntry) is append-only (a database trigger refuses UPDATE and DELETE). Each
entry moves points between nothing, "pending" (earned, inside the return window) and
"available" (spendable); a member's cached balances (Member.available, Member.pending) are
the sums of the entries' deltas, updated in the same statement or transaction as the entry
and kept non-negative by CHECK constraints, so an overdraft fails in the database.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm.models import Tenant, TenantOwnedModel
from customers.models import Customer, ProductCategory, SalesChannel, Transaction
from segmentation.models import Segment, Tier


class Enrolment(models.TextChoices):
    BUYERS = "buyers", _("Every buyer")
    CONSENTED = "consented", _("Buyers with recorded marketing consent")


class Programme(TenantOwnedModel):
    """A company's loyalty programme (one per company)."""

    name = models.CharField(_("name"), max_length=120)
    is_active = models.BooleanField(_("active"), default=True)
    starts_on = models.DateField(
        _("starts on"),
        default=timezone.localdate,
        help_text=_("Purchases before this day earn no points."),
    )
    points_per_unit = models.DecimalField(
        _("points per currency unit"),
        max_digits=8,
        decimal_places=3,
        default=Decimal("1"),
        validators=[MinValueValidator(0)],
        help_text=_("Points earned per unit of currency spent (1 = one point per lira)."),
    )
    point_value = models.DecimalField(
        _("value of a point"),
        max_digits=10,
        decimal_places=4,
        default=Decimal("0.01"),
        validators=[MinValueValidator(0)],
        help_text=_("What one point costs the company, in currency: the basis of the liability."),
    )
    currency = models.CharField(_("currency"), max_length=3, default="TRY")
    return_window_days = models.PositiveSmallIntegerField(
        _("return window (days)"),
        default=14,
        help_text=_("Points of a purchase become spendable this many days after it."),
    )
    expiry_months = models.PositiveSmallIntegerField(
        _("points expire after (months)"),
        default=12,
        help_text=_("Points expire this many months after they were earned; 0: never."),
    )
    welcome_bonus = models.PositiveIntegerField(_("welcome bonus (points)"), default=0)
    min_redeem_balance = models.PositiveIntegerField(
        _("minimum balance to redeem"),
        default=0,
        help_text=_("A member needs at least this many available points to redeem."),
    )
    enrolment = models.CharField(
        _("enrolment"), max_length=10, choices=Enrolment.choices, default=Enrolment.BUYERS
    )
    # Nightly runs: how far release and expiry have gone (each run looks from there on).
    released_through = models.DateTimeField(null=True, blank=True, editable=False)
    expired_through = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("loyalty programme")
        verbose_name_plural = _("loyalty programmes")
        constraints = [
            models.UniqueConstraint(fields=["tenant"], name="loyalty_one_programme_per_tenant"),
            models.CheckConstraint(
                condition=Q(points_per_unit__gte=0), name="loyalty_points_per_unit_gte_0"
            ),
            models.CheckConstraint(
                condition=Q(point_value__gte=0), name="loyalty_point_value_gte_0"
            ),
            # Pending points are always released before they could expire.
            models.CheckConstraint(
                condition=Q(expiry_months=0) | Q(return_window_days__lt=F("expiry_months") * 28),
                name="loyalty_return_window_before_expiry",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class TierMultiplier(TenantOwnedModel):
    """Customers of a pyramid tier earn this many times the base points."""

    tier = models.ForeignKey(
        Tier, on_delete=models.CASCADE, related_name="+", verbose_name=_("tier")
    )
    multiplier = models.DecimalField(
        _("multiplier"), max_digits=5, decimal_places=2, default=Decimal("1")
    )
    benefits = models.TextField(
        _("benefits"), blank=True, help_text=_("What the tier's members get, shown to staff.")
    )

    class Meta:
        verbose_name = _("tier multiplier")
        verbose_name_plural = _("tier multipliers")
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "tier"], name="loyalty_one_multiplier_per_tier"
            ),
            models.CheckConstraint(
                condition=Q(multiplier__gt=0), name="loyalty_tier_multiplier_gt_0"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tier} ×{self.multiplier}"


class BonusRule(TenantOwnedModel):
    """Extra points for purchases of a category, through a channel or within dates. Rules do
    not stack: a purchase gets the largest multiplier among the rules it matches."""

    name = models.CharField(_("name"), max_length=120)
    multiplier = models.DecimalField(_("multiplier"), max_digits=5, decimal_places=2)
    category = models.ForeignKey(
        ProductCategory,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("product category"),
    )
    channel = models.CharField(
        _("channel"), max_length=12, choices=SalesChannel.choices, blank=True
    )
    starts_on = models.DateField(_("from"), null=True, blank=True)
    ends_on = models.DateField(_("until"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("bonus rule")
        verbose_name_plural = _("bonus rules")
        constraints = [
            models.CheckConstraint(
                condition=Q(multiplier__gt=0), name="loyalty_bonus_multiplier_gt_0"
            ),
            models.CheckConstraint(
                condition=Q(starts_on__isnull=True)
                | Q(ends_on__isnull=True)
                | Q(ends_on__gte=F("starts_on")),
                name="loyalty_bonus_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Member(TenantOwnedModel):
    """A customer in the programme, with the cached balances of their ledger."""

    customer = models.OneToOneField(
        Customer,
        on_delete=models.PROTECT,
        related_name="loyalty_member",
        verbose_name=_("customer"),
    )
    enrolled_at = models.DateTimeField(_("enrolled at"), default=timezone.now)
    left_at = models.DateTimeField(_("left at"), null=True, blank=True)
    available = models.IntegerField(_("available points"), default=0)
    pending = models.IntegerField(_("pending points"), default=0)

    class Meta:
        verbose_name = _("loyalty member")
        verbose_name_plural = _("loyalty members")
        constraints = [
            models.CheckConstraint(condition=Q(available__gte=0), name="loyalty_available_gte_0"),
            models.CheckConstraint(condition=Q(pending__gte=0), name="loyalty_pending_gte_0"),
            # The target of the ledger's (member, tenant) foreign key (see PointsEntry).
            models.UniqueConstraint(fields=["id", "tenant"], name="loyalty_member_id_tenant"),
        ]

    def __str__(self) -> str:
        return str(self.customer)


class EntryKind(models.TextChoices):
    EARN = "earn", _("Earned")
    RELEASE = "release", _("Became available")
    REDEEM = "redeem", _("Redeemed")
    EXPIRE = "expire", _("Expired")
    ADJUST = "adjust", _("Adjusted")
    REVERSE = "reverse", _("Reversed")


class EntrySource(models.TextChoices):
    TRANSACTION = "transaction", _("Purchase")
    REWARD = "reward", _("Reward")
    COUPON = "coupon", _("Coupon")
    CAMPAIGN = "campaign", _("Campaign")
    CASHBACK = "cashback", _("Cashback")
    WELCOME = "welcome", _("Welcome bonus")
    USER = "user", _("Staff")
    SYSTEM = "system", _("System")


class PointsEntry(TenantOwnedModel):
    """One line of a member's ledger. Never changed or deleted (a trigger refuses it).

    Every index costs on the 100,000-row inserts of an import's earning: the foreign keys
    get no index of their own where a composite or partial one below already serves them, a
    purchase's entries are found by their keys (earn:txn:<id>, reverse:txn:<id>), and a
    purchase's pending earn entry stays out of the expiry index (its release carries it).

    Member and tenant are checked by ONE foreign key, (member_id, tenant_id) → the member's
    (id, tenant_id) (migration 0006, deferred like Django's): each foreign key costs a lookup
    per inserted row at commit, 2 of the 4 s of commit of a 100,000-purchase earning measured
    under load; and this one also refuses an entry whose tenant is not its member's.
    """

    tenant = models.ForeignKey(
        Tenant, on_delete=models.CASCADE, related_name="+", verbose_name=_("tenant"),
        db_index=False, db_constraint=False,
    )  # fmt: skip
    member = models.ForeignKey(
        Member,
        on_delete=models.PROTECT,
        related_name="entries",
        verbose_name=_("member"),
        db_index=False,
        db_constraint=False,  # the (member, tenant) foreign key of migration 0006
    )
    kind = models.CharField(_("kind"), max_length=10, choices=EntryKind.choices)
    source = models.CharField(_("source"), max_length=12, choices=EntrySource.choices)
    available_delta = models.IntegerField(_("available points"), default=0)
    pending_delta = models.IntegerField(_("pending points"), default=0)
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    idempotency_key = models.CharField(_("idempotency key"), max_length=120)
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    # Credits (earned or added points): when they become spendable and when they expire.
    releases_at = models.DateTimeField(_("available from"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    # The earn entry a release or an in-window reversal settles: one of them, never both.
    settles = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("settles"),
        db_index=False,
    )
    transaction = models.ForeignKey(
        Transaction,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        db_constraint=False,
        db_index=False,
        related_name="+",
        verbose_name=_("purchase"),
    )
    reward = models.ForeignKey(
        "Reward",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reward"),
        db_index=False,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
        db_index=False,
    )

    class Meta:
        verbose_name = _("points entry")
        verbose_name_plural = _("points entries")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "idempotency_key"], name="loyalty_entry_key_unique_per_tenant"
            ),
            models.UniqueConstraint(
                fields=["settles"],
                condition=Q(settles__isnull=False),
                name="loyalty_entry_settled_once",
            ),
            models.CheckConstraint(
                condition=~Q(available_delta=0, pending_delta=0), name="loyalty_entry_moves_points"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=EntryKind.values), name="loyalty_entry_valid_kind"
            ),
            models.CheckConstraint(
                condition=Q(source__in=EntrySource.values), name="loyalty_entry_valid_source"
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=["adjust", "reverse", "expire"]) | ~Q(reason=""),
                name="loyalty_entry_reason_given",
            ),
        ]
        indexes = [
            models.Index(fields=["member", "created_at", "id"], name="loyalty_entry_member_time"),
            # Nightly release: earn entries still waiting for their return window.
            models.Index(
                fields=["tenant", "releases_at"],
                condition=Q(kind="earn", pending_delta__gt=0),
                name="loyalty_entry_pending_earn",
            ),
            # Nightly expiry: spendable credits whose expiry passed since the last run (the
            # entries that made points available: credits, positive adjustments, releases). A
            # purchase's earn entry is pending only and stays out, its release carries its
            # expiry: one index write less for each of an import's 100,000 earn entries.
            models.Index(
                fields=["tenant", "expires_at"],
                condition=Q(available_delta__gt=0, expires_at__isnull=False),
                name="loyalty_entry_expiry_available",
            ),
            models.Index(
                fields=["reward"], condition=Q(reward__isnull=False), name="loyalty_entry_reward"
            ),
            models.Index(
                fields=["created_by"],
                condition=Q(created_by__isnull=False),
                name="loyalty_entry_created_by",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.available_delta:+d}/{self.pending_delta:+d}"

    @property
    def points(self) -> int:
        """What the entry did to the member's points, pending and available together (a
        release moves points without changing the total: shown as its amount)."""
        if self.kind == EntryKind.RELEASE:
            return self.available_delta
        return self.available_delta + self.pending_delta


class Reward(TenantOwnedModel):
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    points_cost = models.PositiveIntegerField(_("points"), validators=[MinValueValidator(1)])
    stock = models.PositiveIntegerField(
        _("stock"), null=True, blank=True, help_text=_("Leave empty for unlimited.")
    )
    starts_on = models.DateField(_("from"), null=True, blank=True)
    ends_on = models.DateField(_("until"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    tiers = models.ManyToManyField(
        Tier,
        blank=True,
        related_name="+",
        verbose_name=_("tiers allowed"),
        help_text=_("Leave empty to offer it to every tier."),
    )

    class Meta:
        verbose_name = _("reward")
        verbose_name_plural = _("rewards")
        ordering = ["points_cost", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(points_cost__gt=0), name="loyalty_reward_cost_gt_0"),
            models.CheckConstraint(
                condition=Q(stock__isnull=True) | Q(stock__gte=0), name="loyalty_reward_stock_gte_0"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class RewardRedemption(TenantOwnedModel):
    reward = models.ForeignKey(
        Reward, on_delete=models.PROTECT, related_name="redemptions", verbose_name=_("reward")
    )
    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="redemptions", verbose_name=_("member")
    )
    points = models.PositiveIntegerField(_("points"))
    created_at = models.DateTimeField(_("redeemed at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )

    class Meta:
        verbose_name = _("reward redemption")
        verbose_name_plural = _("reward redemptions")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.reward} — {self.member}"


class DiscountType(models.TextChoices):
    PERCENT = "percent", _("Percentage")
    AMOUNT = "amount", _("Fixed amount")


class CouponBatch(TenantOwnedModel):
    """Coupons made together: one code for a customer, or a batch of scratch cards."""

    name = models.CharField(_("name"), max_length=120)
    discount_type = models.CharField(
        _("discount"), max_length=8, choices=DiscountType.choices, default=DiscountType.AMOUNT
    )
    value = models.DecimalField(_("value"), max_digits=12, decimal_places=2)
    min_spend = models.DecimalField(
        _("minimum spend"), max_digits=12, decimal_places=2, default=Decimal("0")
    )
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    max_uses = models.PositiveIntegerField(
        _("uses per code"), default=1, validators=[MinValueValidator(1)]
    )
    segment = models.ForeignKey(
        Segment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("only for segment"),
    )
    size = models.PositiveIntegerField(_("codes"), default=0)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )

    class Meta:
        verbose_name = _("coupon batch")
        verbose_name_plural = _("coupon batches")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(value__gt=0), name="loyalty_coupon_value_gt_0"),
            models.CheckConstraint(
                condition=~Q(discount_type="percent") | Q(value__lte=100),
                name="loyalty_coupon_percent_lte_100",
            ),
            models.CheckConstraint(
                condition=Q(min_spend__gte=0), name="loyalty_coupon_min_spend_gte_0"
            ),
            models.CheckConstraint(
                condition=Q(max_uses__gte=1), name="loyalty_coupon_max_uses_gte_1"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Coupon(TenantOwnedModel):
    batch = models.ForeignKey(
        CouponBatch, on_delete=models.PROTECT, related_name="coupons", verbose_name=_("batch")
    )
    code = models.CharField(_("code"), max_length=20)
    customer = models.ForeignKey(
        Customer,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("only for customer"),
    )
    uses = models.PositiveIntegerField(_("uses"), default=0)
    max_uses = models.PositiveIntegerField(_("uses allowed"), default=1)

    class Meta:
        verbose_name = _("coupon")
        verbose_name_plural = _("coupons")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "code"], name="loyalty_coupon_code_unique"),
            models.CheckConstraint(
                condition=Q(uses__gte=0) & Q(uses__lte=F("max_uses")),
                name="loyalty_coupon_uses_within_limit",
            ),
        ]
        indexes = [models.Index(fields=["batch", "uses"], name="loyalty_coupon_batch_uses")]

    def __str__(self) -> str:
        return self.code


class CouponUse(TenantOwnedModel):
    coupon = models.ForeignKey(
        Coupon, on_delete=models.PROTECT, related_name="redemptions", verbose_name=_("coupon")
    )
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="+", verbose_name=_("customer")
    )
    spend = models.DecimalField(_("spend"), max_digits=12, decimal_places=2)
    discount = models.DecimalField(_("discount"), max_digits=12, decimal_places=2)
    used_at = models.DateTimeField(_("used at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )

    class Meta:
        verbose_name = _("coupon use")
        verbose_name_plural = _("coupon uses")
        ordering = ["-used_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(discount__gte=0) & Q(discount__lte=F("spend")),
                name="loyalty_coupon_discount_within_spend",
            )
        ]


class CashbackPeriod(models.TextChoices):
    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")


class CashbackRule(TenantOwnedModel):
    """Spending at least `threshold` in a period earns points or a coupon, once per period."""

    name = models.CharField(_("name"), max_length=120)
    period = models.CharField(
        _("period"), max_length=8, choices=CashbackPeriod.choices, default=CashbackPeriod.MONTH
    )
    threshold = models.DecimalField(_("spending threshold"), max_digits=14, decimal_places=2)
    points = models.PositiveIntegerField(_("points credited"), default=0)
    coupon_batch = models.ForeignKey(
        CouponBatch,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("coupon like"),
        help_text=_("Issue each qualifying customer a coupon with this batch's terms."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("cashback rule")
        verbose_name_plural = _("cashback rules")
        constraints = [
            models.CheckConstraint(
                condition=Q(threshold__gt=0), name="loyalty_cashback_threshold_gt_0"
            ),
            models.CheckConstraint(
                condition=Q(points__gt=0) | Q(coupon_batch__isnull=False),
                name="loyalty_cashback_gives_something",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CashbackAward(TenantOwnedModel):
    rule = models.ForeignKey(
        CashbackRule, on_delete=models.PROTECT, related_name="awards", verbose_name=_("rule")
    )
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="+", verbose_name=_("customer")
    )
    period_start = models.DateField(_("period"))
    spent = models.DecimalField(_("spent"), max_digits=14, decimal_places=2)
    coupon = models.ForeignKey(
        Coupon, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("awarded at"), default=timezone.now)

    class Meta:
        verbose_name = _("cashback award")
        verbose_name_plural = _("cashback awards")
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "customer", "period_start"],
                name="loyalty_cashback_once_per_period",
            )
        ]


class OverviewFigures(TenantOwnedModel):
    """The programme overview's figures as of a time: one aggregation of the whole ledger and
    the members' balances in one statement (one snapshot, so the figures add up), written by
    the nightly run or a refresh a manager asks for. The page reads this one row instead of
    aggregating millions of entries on every load."""

    computed_at = models.DateTimeField(_("as of"))
    seconds = models.FloatField(_("computed in (s)"), default=0)
    # {"members", "issued", "redeemed", "expired", "reversed", "available", "pending"}
    totals = models.JSONField(default=dict)
    # [{"tier": tier id or None, "members", "issued", "redeemed", "expired", "reversed",
    #   "outstanding"}], and [{"month": "YYYY-MM-01", "issued", "redeemed", "expired"}] newest
    # first (the last 12 months with entries).
    by_tier = models.JSONField(default=list)
    by_month = models.JSONField(default=list)

    class Meta:
        verbose_name = _("overview figures")
        verbose_name_plural = _("overview figures")
        constraints = [
            models.UniqueConstraint(fields=["tenant"], name="loyalty_one_overview_per_tenant")
        ]
