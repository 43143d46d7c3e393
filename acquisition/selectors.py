"""Reads: the lead board and list, a lead, and the acquisition report from the nightly
summaries."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import F, Func, IntegerField, QuerySet, Subquery, Sum
from django.shortcuts import get_object_or_404

from acquisition.filters import LeadFilter
from acquisition.models import (
    OPEN_STATUSES,
    AcquisitionCost,
    CohortSummary,
    Lead,
    LeadStatus,
    SummaryRun,
    ValueSummary,
)
from crm.models import AuditEntry, Tenant
from customers.models import AcquisitionChannel, Customer
from customers.selectors import PageSlice, page_without_count, tenant_members
from segmentation.models import Tier

BOARD_COLUMN_SIZE = 20


def _lead_rows(*, tenant: Tenant) -> QuerySet[Lead]:
    return Lead.objects.filter(tenant=tenant).select_related("customer", "owner")


# The board never counts a whole column: past this it says "1,000+" (index-only, ~1 ms).
BOARD_COUNT_LIMIT = 1000


@dataclass(frozen=True)
class BoardColumn:
    status: str
    label: str
    count: int  # at most BOARD_COUNT_LIMIT + 1
    leads: list[Lead]

    @property
    def count_is_capped(self) -> bool:
        return self.count > BOARD_COUNT_LIMIT

    @property
    def count_limit(self) -> int:
        return BOARD_COUNT_LIMIT

    @property
    def more(self) -> int:
        return max(self.count - len(self.leads), 0)


def lead_board(*, tenant: Tenant, owner: Any = None, size: int = BOARD_COLUMN_SIZE):
    """The board: per status the `size` most urgent leads (next step due first; won and lost:
    the latest) and how many there are, counted up to BOARD_COUNT_LIMIT. One indexed query per
    column (lead_board, lead_closed) and one for the counts, whatever the number of leads."""
    base = Lead.objects.filter(tenant=tenant)
    if owner is not None:
        base = base.filter(owner=owner)
    counts = (
        Tenant.objects.filter(pk=tenant.pk)
        .values(
            **{status.value: _capped_count(base.filter(status=status)) for status in LeadStatus}
        )
        .get()
    )
    return [
        BoardColumn(
            status.value, status.label, counts[status.value], list(_column(base, status, size))
        )
        for status in LeadStatus
    ]


def _capped_count(queryset: QuerySet[Lead]) -> Func:
    """cardinality(ARRAY(SELECT id ... LIMIT n + 1)): an index-only count that stops early."""
    ids = Subquery(queryset.order_by().values("pk")[: BOARD_COUNT_LIMIT + 1])
    return Func(
        Func(ids, template="ARRAY%(expressions)s"),
        function="cardinality",
        output_field=IntegerField(),
    )


def _column(base: QuerySet[Lead], status: str, size: int) -> QuerySet[Lead]:
    order = (
        [F("next_step_due").asc(nulls_last=True), "id"]
        if status not in (LeadStatus.WON, LeadStatus.LOST)
        else ["-status_changed_at", "-id"]
    )
    return base.filter(status=status).select_related("customer", "owner").order_by(*order)[:size]


HOME_LIMIT = 5
HOME_DAYS_AHEAD = 7


def next_steps_of(*, tenant: Tenant, user: Any, today: date, limit: int = HOME_LIMIT):
    """The user's open leads whose next step is due within a week (overdue first): the home
    page's "my leads" (index lead_owner_board)."""
    return list(
        Lead.objects.filter(
            tenant=tenant,
            owner=user,
            status__in=OPEN_STATUSES,
            next_step_due__lte=today + timedelta(days=HOME_DAYS_AHEAD),
        )
        .select_related("customer")
        .order_by("next_step_due", "id")[:limit]
    )


def lead_filterset(*, tenant: Tenant, params: Mapping[str, Any] | None) -> LeadFilter:
    return LeadFilter(
        params,
        queryset=_lead_rows(tenant=tenant).order_by("-created_at", "-id"),
        tenant=tenant,
        members=tenant_members(tenant=tenant),
    )


def lead_list_page(
    *, tenant: Tenant, params: Mapping[str, Any] | None, page_size: int = 25
) -> tuple[LeadFilter, PageSlice]:
    filterset = lead_filterset(tenant=tenant, params=params)
    page = (params or {}).get("page")
    return filterset, page_without_count(filterset.qs, page=page, page_size=page_size)


def lead_detail(*, tenant: Tenant, lead_id: int) -> Lead:
    return get_object_or_404(_lead_rows(tenant=tenant), pk=lead_id)


@dataclass(frozen=True)
class LeadEvent:
    when: Any
    action: str  # the audit action's last part: created, status_changed, converted, updated
    actor: Any
    data: dict

    @property
    def from_label(self) -> str:
        return _status_label(self.data.get("from", ""))

    @property
    def to_label(self) -> str:
        return _status_label(self.data.get("to", ""))


def _status_label(status: str) -> str:
    return str(dict(LeadStatus.choices).get(status, status))


def lead_history(*, tenant: Tenant, lead: Lead, limit: int = 50) -> list[LeadEvent]:
    """What happened to the lead, newest first, from its audit entries (one indexed query)."""
    entries = (
        AuditEntry.objects.filter(
            tenant=tenant, object_type="acquisition.lead", object_id=str(lead.pk)
        )
        .select_related("actor")
        .order_by("-created_at", "-id")[:limit]
    )
    return [
        LeadEvent(entry.created_at, entry.action.rsplit(".", 1)[-1], entry.actor, entry.data)
        for entry in entries
    ]


def lead_of_customer(*, tenant: Tenant, customer: Customer) -> Lead | None:
    return _lead_rows(tenant=tenant).filter(customer=customer).first()


def acquisition_costs(*, tenant: Tenant, start: date, end: date) -> QuerySet[AcquisitionCost]:
    return (
        AcquisitionCost.objects.filter(tenant=tenant, month__gte=start, month__lte=end)
        .select_related("entered_by")
        .order_by("-month", "channel", "campaign")
    )


def cost_detail(*, tenant: Tenant, cost_id: int) -> AcquisitionCost:
    return get_object_or_404(AcquisitionCost.objects.filter(tenant=tenant), pk=cost_id)


# --- the acquisition report ------------------------------------------------------------------

HORIZONS = (3, 6, 12)


def _ratio(numerator: Decimal | int, denominator: Decimal | int, places: str = "0.01"):
    if not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(
        Decimal(places), rounding=ROUND_HALF_UP
    )


@dataclass
class HorizonValue:
    months: int
    customers: int = 0
    revenue: Decimal = Decimal("0")
    scored: int = 0
    score_sum: Decimal = Decimal("0")
    best_tiers: dict[int, int] = field(default_factory=dict)
    # (tier, share in % of `customers` that reached the tier or a higher one)
    tier_shares: list[tuple[Tier, Decimal | None]] = field(default_factory=list)

    @property
    def average_revenue(self) -> Decimal | None:
        return _ratio(self.revenue, self.customers)

    @property
    def average_score(self) -> Decimal | None:
        return _ratio(self.score_sum, self.scored)


@dataclass
class ReportLine:
    channel: str
    label: str
    campaign: str = ""
    cost: Decimal = Decimal("0")
    customers: int = 0
    leads: int = 0
    leads_won: int = 0
    won: int = 0
    buyers: int = 0
    days_to_first_purchase: int = 0
    values: dict[int, HorizonValue] = field(default_factory=dict)
    campaigns: list[ReportLine] = field(default_factory=list)

    @property
    def conversion_rate(self) -> Decimal | None:
        """Leads won, in % of leads."""
        return _ratio(100 * self.leads_won, self.leads, "0.1")

    @property
    def average_days_to_first_purchase(self) -> Decimal | None:
        return _ratio(self.days_to_first_purchase, self.buyers, "0.1")

    @property
    def cost_per_won_customer(self) -> Decimal | None:
        return _ratio(self.cost, self.won)

    def horizon(self, months: int) -> HorizonValue:
        return self.values.setdefault(months, HorizonValue(months))


@dataclass
class AcquisitionReport:
    run: SummaryRun | None
    start: date
    end: date
    lines: list[ReportLine]
    total: ReportLine
    tiers: list[Tier]


def _channel_label(channel: str) -> str:
    from django.utils.translation import gettext

    if not channel:
        return gettext("Unknown channel")
    try:
        return str(AcquisitionChannel(channel).label)
    except ValueError:
        return channel


def acquisition_report(*, tenant: Tenant, start: date, end: date) -> AcquisitionReport:
    """Per channel (and campaign within it) for cohorts from `start` to `end` (first days of
    months): cost, leads, conversion rate, time to first purchase, cost per won customer, and
    the value after 3, 6 and 12 months. Reads the last nightly run's summaries (few rows)."""
    run = SummaryRun.objects.filter(tenant=tenant).order_by("-computed_at", "-id").first()
    tiers = list(Tier.objects.filter(tenant=tenant).order_by("position"))
    lines: dict[tuple[str, str], ReportLine] = {}

    def line(channel: str, campaign: str) -> ReportLine:
        key = (channel, campaign)
        if key not in lines:
            lines[key] = ReportLine(channel, _channel_label(channel), campaign)
        return lines[key]

    costs = (
        AcquisitionCost.objects.filter(tenant=tenant, month__gte=start, month__lte=end)
        .values("channel", "campaign")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    for row in costs:
        line(row["channel"], row["campaign"]).cost += row["total"]
    if run is not None:
        cohorts = (
            CohortSummary.objects.filter(tenant=tenant, run=run, month__gte=start, month__lte=end)
            .values("channel", "campaign")
            .annotate(
                customers=Sum("customers"),
                leads=Sum("leads"),
                leads_won=Sum("leads_won"),
                won=Sum("won"),
                buyers=Sum("buyers"),
                days=Sum("days_to_first_purchase"),
            )
            .order_by()
        )
        for row in cohorts:
            target = line(row["channel"], row["campaign"])
            target.customers += row["customers"]
            target.leads += row["leads"]
            target.leads_won += row["leads_won"]
            target.won += row["won"]
            target.buyers += row["buyers"]
            target.days_to_first_purchase += row["days"]
        values = ValueSummary.objects.filter(
            tenant=tenant, run=run, month__gte=start, month__lte=end
        ).values_list(
            "channel", "campaign", "horizon_months", "customers", "revenue", "scored",
            "score_sum", "best_tiers",
        )  # fmt: skip
        for channel, campaign, months, customers, revenue, scored, score_sum, best in values:
            horizon = line(channel, campaign).horizon(months)
            _add_value(horizon, customers, revenue, scored, score_sum, best)
    return _assemble(run=run, start=start, end=end, lines=lines, tiers=tiers)


def _add_value(horizon: HorizonValue, customers, revenue, scored, score_sum, best) -> None:
    horizon.customers += customers
    horizon.revenue += revenue
    horizon.scored += scored
    horizon.score_sum += score_sum
    for tier_id, count in best.items():
        horizon.best_tiers[int(tier_id)] = horizon.best_tiers.get(int(tier_id), 0) + count


def _add_line(target: ReportLine, part: ReportLine) -> None:
    for name in ("cost", "customers", "leads", "leads_won", "won", "buyers"):
        setattr(target, name, getattr(target, name) + getattr(part, name))
    target.days_to_first_purchase += part.days_to_first_purchase
    for months, value in part.values.items():
        _add_value(
            target.horizon(months),
            value.customers,
            value.revenue,
            value.scored,
            value.score_sum,
            value.best_tiers,
        )


def _finish(line: ReportLine, tiers: list[Tier]) -> None:
    for months in HORIZONS:
        horizon = line.horizon(months)
        reached = 0
        horizon.tier_shares = []
        for tier in tiers:  # peak first: reaching a tier counts for every tier below it
            reached += horizon.best_tiers.get(tier.pk, 0)
            horizon.tier_shares.append((tier, _ratio(100 * reached, horizon.customers, "0.1")))


def _assemble(*, run, start, end, lines, tiers) -> AcquisitionReport:
    order = {value: index for index, value in enumerate(AcquisitionChannel.values)}
    by_channel: dict[str, ReportLine] = {}
    campaigns: dict[str, list[ReportLine]] = defaultdict(list)
    for (channel, campaign), part in lines.items():
        if channel not in by_channel:
            by_channel[channel] = ReportLine(channel, _channel_label(channel))
        _add_line(by_channel[channel], part)
        if campaign:
            campaigns[channel].append(part)
    total = ReportLine("", "")
    result = []
    for channel in sorted(by_channel, key=lambda c: order.get(c, len(order))):
        channel_line = by_channel[channel]
        channel_line.campaigns = sorted(campaigns[channel], key=lambda c: c.campaign.lower())
        for part in [channel_line, *channel_line.campaigns]:
            _finish(part, tiers)
        _add_line(total, channel_line)
        result.append(channel_line)
    _finish(total, tiers)
    return AcquisitionReport(run=run, start=start, end=end, lines=result, total=total, tiers=tiers)
