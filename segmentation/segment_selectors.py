"""Segment membership: who is in a saved segment, or in criteria still being built.

The public API (the campaigns app targets segments through exactly these names):

- ``segment_members(*, tenant, segment) -> QuerySet[Customer]``: the segment's customers now,
  ONE set-based query (customers joined to the facts the last recompute wrote); chain
  ``.values(...)``, ``.count()`` or use it as a subquery.
- ``segment_member_count(*, tenant, segment) -> int``.
- ``SegmentCriteria.of(segment)`` and ``criteria_members(*, tenant, criteria)``: the same for
  criteria that are not saved yet (the builder's live count).
- ``criteria_figures(*, tenant, criteria) -> SegmentFigures``: count, revenue and revenue share
  in one aggregate query.

Frozen lists (who was in a segment at a moment) are made by
``segmentation.services.segment_snapshot_create`` and read as ``SegmentSnapshot.members``.

Call them inside the tenant's scope (views and tenant tasks are): the customers' manager is
scoped and raises outside one.

Rules: an empty criterion takes everyone; the values of one criterion are alternatives (OR);
criteria combine with AND. Tiers and the groups outside the pyramid are alternatives too.
Criteria other apps register (segmentation/criteria.py: propensity, next-best product, ...)
are in `SegmentCriteria.extra` and join the same query with AND.
Criteria on the facts (tier, status, class, growth, categories, last purchase) and the score
read the last successful recompute; a customer added since is in no segment that uses them.
Archived customers are never members.

Hand-picked customers ("Add to segment" on the customer list, HandPickedCustomer) are members
whatever the criteria say: a segment's members are its criteria's customers OR its hand-picked
ones, in the same one query (``segment_members``, the segment page's figures, snapshots).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime, time
from decimal import Decimal
from math import floor
from typing import Any

from django.db.models import Count, DecimalField, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from crm.models import Tenant
from customers.models import CONSENT_FIELD_BY_CHANNEL, Customer
from segmentation.criteria import extra_description, extra_q
from segmentation.models import (
    CRITERIA_CODES,
    CriteriaRow,
    CustomerScore,
    HandPickedCustomer,
    RunFigures,
    RunStatus,
    ScoreRun,
    Segment,
    criteria_code,
)


@dataclass(frozen=True)
class SegmentCriteria:
    tier_ids: tuple[int, ...] = ()
    outside_groups: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    cities: tuple[str, ...] = ()
    industries: tuple[str, ...] = ()
    acquisition_channels: tuple[str, ...] = ()
    lifecycle_stages: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    category_ids: tuple[int, ...] = ()
    growth_bands: tuple[str, ...] = ()
    customer_classes: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    last_purchase_after: date | None = None
    last_purchase_before: date | None = None
    consent_channel: str = ""
    score_min: Decimal | None = None
    score_max: Decimal | None = None
    # The registered criteria in use: ((key, stored JSON value), ...), sorted by key.
    extra: tuple[tuple[str, Any], ...] = ()

    @classmethod
    def of(cls, segment: Segment) -> SegmentCriteria:
        """A saved segment's criteria (two small queries: its tiers and categories)."""
        tier_ids = Segment.tiers.through.objects.filter(segment_id=segment.pk).values_list(
            "tier_id", flat=True
        )
        category_ids = Segment.categories.through.objects.filter(segment_id=segment.pk).values_list(
            "productcategory_id", flat=True
        )
        values = {}
        for field in fields(cls):
            if field.name == "tier_ids":
                values[field.name] = tuple(sorted(tier_ids))
            elif field.name == "category_ids":
                values[field.name] = tuple(sorted(category_ids))
            elif field.name == "extra":
                values[field.name] = extra_of(segment.extra_criteria)
            else:
                value = getattr(segment, field.name)
                values[field.name] = tuple(value) if isinstance(value, list) else value
        return cls(**values)

    def is_empty(self) -> bool:
        return self == SegmentCriteria()


def extra_of(stored: dict[str, Any] | None) -> tuple[tuple[str, Any], ...]:
    """`Segment.extra_criteria` (or a form's) as `SegmentCriteria.extra`."""
    return tuple(sorted((key, value) for key, value in (stored or {}).items() if value is not None))


def extra_descriptions(*, tenant: Tenant, criteria: SegmentCriteria) -> list[str]:
    """The registered criteria in use, one sentence each (the segment's page)."""
    return [extra_description(tenant=tenant, key=key, value=value) for key, value in criteria.extra]


def _day_start(day: date, tenant: Tenant) -> datetime:
    return datetime.combine(day, time.min, tzinfo=tenant.zone)


def _shared_criteria_q(
    *, tenant: Tenant, criteria: SegmentCriteria, facts: str, coded: bool = False
) -> Q:
    """The criteria read the same way over Customer and over its criteria rows, the score bounds
    and other apps' criteria aside: `facts` is the prefix of the run's facts ("facts__" from a
    customer, "" on a criteria row, which carries them itself); `coded`: the choice columns hold
    codes (the criteria rows, CRITERIA_CODES)."""

    def chosen(column: str, values: tuple[str, ...]) -> list:
        if not coded or column not in CRITERIA_CODES:
            return list(values)
        # A value outside the choices has no code of its own (0 is "any other"): it matches
        # nobody (the builder offers only the choices).
        return [criteria_code(column, value) for value in values if value in CRITERIA_CODES[column]]

    q = Q()
    if criteria.tier_ids or criteria.outside_groups:
        q &= Q(**{f"{facts}tier_id__in": criteria.tier_ids}) | Q(
            **{
                f"{facts}tier__isnull": True,
                f"{facts}status__in": chosen("status", criteria.outside_groups),
            }
        )
    for name, column, lookup in (
        ("regions", "region", "region__in"),
        ("cities", "city", "city__in"),
        ("industries", "industry", "industry__in"),
        ("acquisition_channels", "acquisition_channel", "acquisition_channel__in"),
        ("lifecycle_stages", "lifecycle_stage", "lifecycle_stage__in"),
        ("kinds", "kind", "kind__in"),
        ("growth_bands", "growth_band", f"{facts}growth_band__in"),
        ("customer_classes", "customer_class", f"{facts}customer_class__in"),
    ):
        values = getattr(criteria, name)
        if values:
            q &= Q(**{lookup: chosen(column, values)})
    if criteria.category_ids:
        q &= Q(**{f"{facts}category_ids__overlap": list(criteria.category_ids)})
    if criteria.tags:
        q &= Q(tags__overlap=list(criteria.tags))
    if criteria.last_purchase_after:
        after = _day_start(criteria.last_purchase_after, tenant)
        q &= Q(**{f"{facts}last_purchase_at__gte": after})
    if criteria.last_purchase_before:
        before = _day_start(criteria.last_purchase_before, tenant)
        q &= Q(**{f"{facts}last_purchase_at__lt": before})
    if criteria.consent_channel:
        q &= Q(**{CONSENT_FIELD_BY_CHANNEL[criteria.consent_channel]: True})
    return q


def criteria_q(*, tenant: Tenant, criteria: SegmentCriteria) -> Q:
    """The criteria as one Q over Customer (facts through the `facts` relation)."""
    q = _shared_criteria_q(tenant=tenant, criteria=criteria, facts="facts__")
    if criteria.score_min is not None:
        q &= Q(score__score__gte=criteria.score_min)
    if criteria.score_max is not None:
        q &= Q(score__score__lte=criteria.score_max)
    for key, value in criteria.extra:
        q &= extra_q(tenant=tenant, key=key, value=value)
    return q


def hand_picked_ids(*, tenant: Tenant, segment_id: int) -> QuerySet[HandPickedCustomer]:
    """The ids of the customers hand-picked into a segment (a subquery)."""
    return HandPickedCustomer.objects.filter(tenant=tenant, segment_id=segment_id).values(
        "customer_id"
    )


def hand_picked_segment_id(*, tenant: Tenant, value: str | None) -> int | None:
    """The id of the tenant's segment named by a request parameter, or None."""
    if not value or not value.isdigit():
        return None
    return Segment.objects.filter(tenant=tenant, pk=int(value)).values_list("pk", flat=True).first()


def criteria_members(
    *, tenant: Tenant, criteria: SegmentCriteria, segment_id: int | None = None
) -> QuerySet[Customer]:
    """Customers matching `criteria`; with `segment_id`, also that segment's hand-picked ones."""
    q = criteria_q(tenant=tenant, criteria=criteria)
    if segment_id is not None and not criteria.is_empty():  # empty criteria take everyone
        q |= Q(pk__in=hand_picked_ids(tenant=tenant, segment_id=segment_id))
    return Customer.objects.filter(tenant=tenant, archived_at__isnull=True).filter(q)


def segment_members(*, tenant: Tenant, segment: Segment) -> QuerySet[Customer]:
    """The segment's customers now (criteria OR hand-picked): one query (no order; add one for
    a list)."""
    return criteria_members(
        tenant=tenant, criteria=SegmentCriteria.of(segment), segment_id=segment.pk
    )


def segment_member_count(*, tenant: Tenant, segment: Segment) -> int:
    return segment_members(tenant=tenant, segment=segment).count()


@dataclass(frozen=True)
class SegmentFigures:
    customers: int
    revenue: Decimal
    revenue_share: Decimal | None  # % of the window's revenue of all customers (last run)


def base_revenue(*, tenant: Tenant) -> Decimal | None:
    """The window's revenue of all customers in the last successful run (None before any)."""
    run = (
        ScoreRun.objects.filter(tenant=tenant, status=RunStatus.SUCCEEDED)
        .order_by("-finished_at", "-id")
        .values_list("pk", flat=True)
        .first()
    )
    if run is None:
        return None
    return (
        RunFigures.objects.filter(tenant=tenant, run_id=run)
        .values_list("revenue", flat=True)
        .first()
    )


def _score_bound_q(*, tenant: Tenant, bound: Decimal, lookup: str) -> Q:
    """`score <lookup> bound` over the criteria rows, which hold the score's whole-number band:
    the bands wholly on the right side decide alone; the one band the bound cuts through is
    checked against the exact scores of that band (the score rows' band index)."""
    band = floor(bound)
    exact = Q(
        customer_id__in=CustomerScore.objects.filter(
            tenant=tenant, score_band=band, **{f"score__{lookup}": bound}
        ).values("customer_id")
    )
    if lookup == "gte":
        if bound == band:  # every score of the band and above is >= a whole bound
            return Q(score_band__gte=band)
        return Q(score_band__gt=band) | (Q(score_band=band) & exact)
    return Q(score_band__lt=band) | (Q(score_band=band) & exact)


def criteria_rows_q(*, tenant: Tenant, criteria: SegmentCriteria) -> Q:
    """`criteria_q` over the criteria rows (CriteriaRow), for criteria with no registered
    ones: the same customers (NULL facts or score match nothing, as the joins there do)."""
    q = _shared_criteria_q(tenant=tenant, criteria=criteria, facts="", coded=True)
    if criteria.score_min is not None:
        q &= _score_bound_q(tenant=tenant, bound=criteria.score_min, lookup="gte")
    if criteria.score_max is not None:
        q &= _score_bound_q(tenant=tenant, bound=criteria.score_max, lookup="lte")
    return q


def criteria_rows(
    *, tenant: Tenant, criteria: SegmentCriteria, segment_id: int | None = None
) -> QuerySet[CriteriaRow]:
    """The criteria rows of `criteria_members`' customers (criteria without registered ones):
    the same customers from the narrow table, for counts and sums."""
    q = criteria_rows_q(tenant=tenant, criteria=criteria)
    if segment_id is not None and not criteria.is_empty():  # empty criteria take everyone
        q |= Q(customer_id__in=hand_picked_ids(tenant=tenant, segment_id=segment_id))
    return CriteriaRow.objects.filter(tenant=tenant, archived=False).filter(q)


def criteria_figures(
    *, tenant: Tenant, criteria: SegmentCriteria, segment_id: int | None = None
) -> SegmentFigures:
    """Count and revenue of the criteria's customers (with `segment_id`, and the segment's
    hand-picked ones) in one aggregate query: over the narrow criteria rows, or, when a
    registered criterion (another app's Q over Customer) is used, over the customers."""
    money = DecimalField(max_digits=18, decimal_places=2)
    if criteria.extra:
        members = criteria_members(tenant=tenant, criteria=criteria, segment_id=segment_id)
        revenue = Sum("facts__revenue")
    else:
        members = criteria_rows(tenant=tenant, criteria=criteria, segment_id=segment_id)
        revenue = Sum("revenue")
    totals = members.aggregate(
        customers=Count("pk"), revenue=Coalesce(revenue, Decimal(0), output_field=money)
    )
    total = base_revenue(tenant=tenant)
    share = None
    if total:
        share = (Decimal(100) * totals["revenue"] / total).quantize(Decimal("0.01"))
    return SegmentFigures(totals["customers"], totals["revenue"], share)


def hand_picked_customers(
    *, tenant: Tenant, segment: Segment, limit: int = 50
) -> tuple[int, list[HandPickedCustomer]]:
    """How many customers are hand-picked into `segment`, and the latest `limit` of them (with
    the customer and who added them): two queries."""
    picked = HandPickedCustomer.objects.filter(tenant=tenant, segment=segment)
    rows = list(picked.select_related("customer", "added_by").order_by("-added_at", "-id")[:limit])
    return picked.count(), rows


def hand_picked_customer(
    *, tenant: Tenant, segment: Segment, customer_id: int
) -> HandPickedCustomer:
    """One hand-picked customer of the segment (404 when the customer is not hand-picked)."""
    return get_object_or_404(
        HandPickedCustomer.objects.select_related("customer"),
        tenant=tenant,
        segment=segment,
        customer_id=customer_id,
    )
