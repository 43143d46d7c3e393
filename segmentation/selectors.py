"""Reads for the pyramid, the run status and the customer's "why this tier?" panel."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.models import Tenant
from customers.models import Customer
from segmentation.metrics import METRICS
from segmentation.models import (
    CustomerScore,
    RunStatus,
    RunTierSummary,
    ScoreContribution,
    ScoreRun,
    ScoreStatus,
    Tier,
    TierChange,
    TierPin,
)


def run_latest(*, tenant: Tenant) -> ScoreRun | None:
    return (
        ScoreRun.objects.filter(tenant=tenant)
        .select_related("requested_by")
        .order_by("-created_at", "-id")
        .first()
    )


def run_last_succeeded(*, tenant: Tenant) -> ScoreRun | None:
    return (
        ScoreRun.objects.filter(tenant=tenant, status=RunStatus.SUCCEEDED)
        .order_by("-finished_at", "-id")
        .first()
    )


def tiers(*, tenant: Tenant) -> list[Tier]:
    return list(Tier.objects.filter(tenant=tenant).order_by("position"))


def _outside_labels() -> dict[str, str]:
    """The lines below the tiers: active customers without a tier, inactive, prospects."""
    return {
        ScoreStatus.ACTIVE: _("Active, no tier"),
        ScoreStatus.INACTIVE: _("Inactive"),
        ScoreStatus.PROSPECT: _("Prospects"),
    }


def run_tier_counts(*, tenant: Tenant, run: ScoreRun | None) -> list[dict]:
    """The run's customers per tier (peak first), then inactive customers and prospects."""
    if run is None or not run.tier_counts:
        return []
    counts = dict(run.tier_counts)
    lines = [
        {"label": tier.name, "colour": tier.colour, "count": counts.pop(str(tier.pk), 0)}
        for tier in tiers(tenant=tenant)
    ]
    for status, label in _outside_labels().items():
        if status in counts:
            lines.append({"label": label, "colour": "", "count": counts.pop(status)})
    return lines


@dataclass(frozen=True)
class PyramidLevel:
    tier: Tier | None
    status: str
    label: str
    customers: int
    share: Decimal  # of all customers counted in the run
    revenue: Decimal
    margin: Decimal


def pyramid(*, tenant: Tenant, run: ScoreRun | None) -> list[PyramidLevel]:
    """Customers, revenue and margin per tier of `run` (peak first), then inactive, prospects."""
    if run is None:
        return []
    summaries = list(RunTierSummary.objects.filter(tenant=tenant, run=run).select_related("tier"))
    total = sum(summary.customers for summary in summaries) or 1
    by_tier: dict[int, list[RunTierSummary]] = {}
    outside: dict[str, list[RunTierSummary]] = {}
    for summary in summaries:
        if summary.tier_id is not None:
            by_tier.setdefault(summary.tier_id, []).append(summary)
        else:
            outside.setdefault(summary.status, []).append(summary)

    def level(tier: Tier | None, status: str, label: str, rows: list[RunTierSummary]):
        customers = sum(row.customers for row in rows)
        return PyramidLevel(
            tier=tier,
            status=status,
            label=label,
            customers=customers,
            share=(Decimal(100) * customers / total).quantize(Decimal("0.01")),
            revenue=sum((row.revenue for row in rows), Decimal(0)),
            margin=sum((row.margin for row in rows), Decimal(0)),
        )

    levels = [
        level(tier, ScoreStatus.ACTIVE, tier.name, by_tier.get(tier.pk, []))
        for tier in tiers(tenant=tenant)
    ]
    for status, label in _outside_labels().items():
        if outside.get(status):
            levels.append(level(None, status, label, outside[status]))
    return levels


@dataclass(frozen=True)
class ContributionLine:
    label: str
    help_text: str
    weight: Decimal
    raw_value: float | None
    normalised_value: float | None
    contribution: float | None


def customer_score(*, tenant: Tenant, customer: Customer) -> CustomerScore | None:
    return (
        CustomerScore.objects.filter(tenant=tenant, customer=customer)
        .select_related("tier", "computed_tier")
        .first()
    )


def customer_contributions(*, tenant: Tenant, customer: Customer) -> list[ContributionLine]:
    """Each key's raw value, normalised value, weight and points for the customer."""
    lines = []
    rows = (
        ScoreContribution.objects.filter(tenant=tenant, customer=customer)
        .select_related("value_key")
        .order_by("position")
    )
    for row in rows:
        metric = METRICS.get(row.metric)
        # The tenant's own description of the key first; the catalogue's help text otherwise.
        description = row.value_key.description if row.value_key else ""
        lines.append(
            ContributionLine(
                label=str(metric.label) if metric else row.metric,
                help_text=description or (str(metric.help_text) if metric else ""),
                weight=row.weight,
                raw_value=row.raw_value,
                normalised_value=row.normalised_value,
                contribution=row.contribution,
            )
        )
    return lines


def customer_tier_history(*, tenant: Tenant, customer: Customer, limit: int = 20):
    return list(
        TierChange.objects.filter(tenant=tenant, customer=customer)
        .select_related("from_tier", "to_tier", "changed_by")
        .order_by("-changed_at", "-id")[:limit]
    )


def customer_active_pin(*, tenant: Tenant, customer: Customer) -> TierPin | None:
    """The pin the recompute honours: active and not past its end date (as final.sql reads it)."""
    today = timezone.now().astimezone(tenant.zone).date()
    return (
        TierPin.objects.filter(tenant=tenant, customer=customer, is_active=True)
        .filter(Q(until__isnull=True) | Q(until__gte=today))
        .select_related("tier", "pinned_by")
        .first()
    )
