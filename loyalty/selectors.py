"""Reads of the loyalty app: a customer's tier and points, the statement with its running
balance, and the programme overview for managers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Window
from django.db.models.functions import Coalesce
from django.utils import timezone

from crm.models import Tenant
from customers.models import Customer
from loyalty.models import (
    BonusRule,
    CashbackRule,
    Coupon,
    CouponBatch,
    Member,
    OverviewFigures,
    PointsEntry,
    Programme,
    Reward,
    TierMultiplier,
)
from segmentation.models import CustomerScore, Tier

EXPIRING_SOON_DAYS = 30


def programme_for(*, tenant: Tenant) -> Programme | None:
    return Programme.objects.filter(tenant=tenant).first()


def tier_terms(*, tenant: Tenant) -> tuple[list[Tier], dict[int, TierMultiplier]]:
    """The company's tiers, peak first, and their multipliers (a tier without one earns ×1)."""
    tiers = list(Tier.objects.filter(tenant=tenant).order_by("position"))
    current = {row.tier_id: row for row in TierMultiplier.objects.filter(tenant=tenant)}
    return tiers, current


def bonus_rules(*, tenant: Tenant) -> list[BonusRule]:
    return list(
        BonusRule.objects.filter(tenant=tenant)
        .select_related("category")
        .order_by("-is_active", "name", "id")
    )


def customer_tier_id(*, tenant: Tenant, customer: Customer) -> int | None:
    return (
        CustomerScore.objects.filter(tenant=tenant, customer_id=customer.pk)
        .values_list("tier_id", flat=True)
        .first()
    )


@dataclass(frozen=True)
class LoyaltySummary:
    programme: Programme | None
    member: Member | None
    tier: Tier | None
    multiplier: Decimal
    benefits: str
    expiring_soon: int
    recent: list[PointsEntry]
    rewards: list[Reward]


_UNREAD = object()


def customer_loyalty(
    *, tenant: Tenant, customer: Customer, recent: int = 5, score: object = _UNREAD
) -> LoyaltySummary:
    """The customer page's panel: a handful of indexed queries whatever the ledger's size.
    `score`: the customer's CustomerScore with its tier (or None) when the caller has read it."""
    from loyalty.services.ledger import expiring_points

    programme = programme_for(tenant=tenant)
    member = Member.objects.filter(tenant=tenant, customer_id=customer.pk).first()
    if score is _UNREAD:
        score = (
            CustomerScore.objects.filter(tenant=tenant, customer_id=customer.pk)
            .select_related("tier")
            .only("customer_id", "tier")
            .first()
        )
    tier = score.tier if score else None
    tier_id = tier.pk if tier else None
    multiplier = (
        TierMultiplier.objects.filter(tenant=tenant, tier_id=tier_id).first() if tier_id else None
    )
    expiring = 0
    entries: list[PointsEntry] = []
    rewards: list[Reward] = []
    if member is not None:
        expiring = expiring_points(
            tenant=tenant,
            member=member,
            by=timezone.now() + timedelta(days=EXPIRING_SOON_DAYS),
        )
        entries = list(
            PointsEntry.objects.filter(tenant=tenant, member=member)
            .select_related("created_by", "reward")
            .order_by("-created_at", "-id")[:recent]
        )
        rewards = rewards_on_offer(tenant=tenant, tier_id=tier_id)
    return LoyaltySummary(
        programme=programme,
        member=member,
        tier=tier,
        multiplier=multiplier.multiplier if multiplier else Decimal("1"),
        benefits=multiplier.benefits if multiplier else "",
        expiring_soon=expiring,
        recent=entries,
        rewards=rewards,
    )


def rewards_on_offer(*, tenant: Tenant, tier_id: int | None) -> list[Reward]:
    today = timezone.localdate(timezone=tenant.zone)
    rewards = (
        Reward.objects.filter(tenant=tenant, is_active=True)
        .filter(Q(starts_on__isnull=True) | Q(starts_on__lte=today))
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        .filter(Q(stock__isnull=True) | Q(stock__gt=0))
        .annotate(tier_count=Count("tiers"), tier_match=Count("tiers", filter=Q(tiers=tier_id)))
        .filter(Q(tier_count=0) | Q(tier_match__gt=0))
        .order_by("points_cost", "name")
    )
    return list(rewards)


def member_statement(*, tenant: Tenant, member: Member) -> QuerySet[PointsEntry]:
    """Every entry, oldest first, with the running available and pending balances."""
    order = [F("created_at").asc(), F("id").asc()]
    return (
        PointsEntry.objects.filter(tenant=tenant, member=member)
        .select_related("created_by", "reward", "transaction")
        .annotate(
            running_available=Window(Sum("available_delta"), order_by=order),
            running_pending=Window(Sum("pending_delta"), order_by=order),
        )
        .order_by("created_at", "id")
    )


@dataclass(frozen=True)
class OverviewRow:
    label: str
    members: int
    issued: int
    redeemed: int
    expired: int
    reversed: int
    outstanding: int


@dataclass(frozen=True)
class ProgrammeOverview:
    programme: Programme | None
    as_of: datetime | None  # None: not computed yet
    members: int
    issued: int
    redeemed: int
    expired: int
    outstanding_available: int
    outstanding_pending: int
    liability: Decimal
    redemption_rate: Decimal | None
    by_tier: list[OverviewRow]
    by_month: list[dict]


def programme_overview(*, tenant: Tenant) -> ProgrammeOverview:
    """Members and points issued / redeemed / expired / outstanding, the outstanding
    liability in currency (at today's value of a point) and the redemption rate; by tier and
    by month. Read from the figures the nightly run (or a refresh) computed over the whole
    ledger, with their time: a few small queries whatever the ledger's size."""
    programme = programme_for(tenant=tenant)
    figures = OverviewFigures.objects.filter(tenant=tenant).first()
    totals = figures.totals if figures else {}
    issued, redeemed = totals.get("issued", 0), totals.get("redeemed", 0)
    available, pending = totals.get("available", 0), totals.get("pending", 0)
    point_value = programme.point_value if programme else Decimal("0")
    liability = (Decimal(available + pending) * point_value).quantize(Decimal("0.01"))
    rate = (Decimal(redeemed) * 100 / issued).quantize(Decimal("0.1")) if issued else None
    tier_names = {tier.pk: str(tier) for tier in Tier.objects.filter(tenant=tenant)}
    by_tier = sorted(
        (
            OverviewRow(
                label=tier_names.get(row["tier"], "—"),
                members=row["members"],
                issued=row["issued"],
                redeemed=row["redeemed"],
                expired=row["expired"],
                reversed=row["reversed"],
                outstanding=row["outstanding"],
            )
            for row in (figures.by_tier if figures else [])
        ),
        key=lambda row: row.label,
    )
    by_month = [
        {**row, "month": date.fromisoformat(row["month"])}
        for row in (figures.by_month if figures else [])
    ]
    return ProgrammeOverview(
        programme=programme,
        as_of=figures.computed_at if figures else None,
        members=totals.get("members", 0),
        issued=issued,
        redeemed=redeemed,
        expired=totals.get("expired", 0),
        outstanding_available=available,
        outstanding_pending=pending,
        liability=liability,
        redemption_rate=rate,
        by_tier=by_tier,
        by_month=by_month,
    )


def coupon_batches(*, tenant: Tenant, limit: int = 20) -> list:
    """The latest batches with how many of their codes were used (one query)."""
    from loyalty.models import CouponBatch

    return list(
        CouponBatch.objects.filter(tenant=tenant)
        .annotate(codes=Count("coupons"), used=Count("coupons", filter=Q(coupons__uses__gt=0)))
        .order_by("-created_at", "-id")[:limit]
    )


# --- rewards, coupon batches and cashback rules, for tenant admins --------------------------


def rewards_catalogue(*, tenant: Tenant) -> list[Reward]:
    """Every reward, those on offer first, with the tiers it is offered to."""
    return list(
        Reward.objects.filter(tenant=tenant)
        .prefetch_related("tiers")
        .annotate(redeemed=Count("redemptions"))
        .order_by("-is_active", "points_cost", "name", "id")
    )


def _coupon_count(**filters) -> Subquery:
    # A subquery per figure reads the (batch, uses) index alone; a join would read every code.
    return Subquery(
        Coupon.objects.filter(batch=OuterRef("pk"), **filters)
        .order_by()
        .values("batch")
        .annotate(count=Count("*"))
        .values("count"),
        output_field=IntegerField(),
    )


def coupon_batch_list(*, tenant: Tenant) -> QuerySet[CouponBatch]:
    """The batches, newest first, each with how many codes it has and how many were used."""
    return (
        CouponBatch.objects.filter(tenant=tenant)
        .select_related("segment")
        .annotate(
            codes=Coalesce(_coupon_count(), 0),
            used=Coalesce(_coupon_count(uses__gt=0), 0),
        )
        .order_by("-created_at", "-id")
    )


@dataclass(frozen=True)
class BatchUsage:
    codes: int
    used: int
    uses: int

    @property
    def unused(self) -> int:
        return self.codes - self.used


def coupon_batch_usage(*, tenant: Tenant, batch: CouponBatch) -> BatchUsage:
    figures = Coupon.objects.filter(tenant=tenant, batch=batch).aggregate(
        codes=Count("id"), used=Count("id", filter=Q(uses__gt=0)), uses=Sum("uses")
    )
    return BatchUsage(codes=figures["codes"], used=figures["used"], uses=figures["uses"] or 0)


def coupon_batch_codes(
    *, tenant: Tenant, batch: CouponBatch, used: bool | None = None, code: str = ""
) -> QuerySet[Coupon]:
    """The batch's codes in the order they were made: all, only the used or only the unused
    ones, or those starting with what was typed (normalised the way staff type a code)."""
    from loyalty.services.coupons import code_normalise

    codes = Coupon.objects.filter(tenant=tenant, batch=batch).select_related("customer")
    if used is True:
        codes = codes.filter(uses__gt=0)
    elif used is False:
        codes = codes.filter(uses=0)
    if code_normalise(code):
        codes = codes.filter(code__startswith=code_normalise(code))
    return codes.order_by("id")


def cashback_rules(*, tenant: Tenant) -> list[CashbackRule]:
    return list(
        CashbackRule.objects.filter(tenant=tenant)
        .select_related("coupon_batch")
        .annotate(awarded=Count("awards"))
        .order_by("-is_active", "name", "id")
    )
