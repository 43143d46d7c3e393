"""Reads: the lead board and list, a lead, and the acquisition report from the nightly
summaries."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import connection
from django.db.models import F, Func, IntegerField, QuerySet, Subquery, Sum
from django.shortcuts import get_object_or_404

from acquisition.filters import LeadFilter
from acquisition.models import (
    OPEN_STATUSES,
    AcquisitionCost,
    CampaignCostSummary,
    CohortSummary,
    Lead,
    LeadStatus,
    SummaryRun,
    ValueSummary,
)
from acquisition.sql import statement
from campaigns.models import Campaign, Objective
from crm.models import AuditEntry, Tenant
from customers.models import AcquisitionChannel, Customer
from customers.selectors import PageSlice, page_without_count, tenant_members
from segmentation.models import Tier

# Cards per board column (and per "show more"): enough for a day's work, few to render.
BOARD_COLUMN_SIZE = 10


def _lead_rows(*, tenant: Tenant) -> QuerySet[Lead]:
    return Lead.objects.filter(tenant=tenant).select_related("customer", "owner", "campaign")


def acquisition_campaigns(*, tenant: Tenant) -> QuerySet[Campaign]:
    """The company's campaigns whose objective is acquisition: what a lead or a cost can be
    linked to (newest first)."""
    return Campaign.objects.filter(tenant=tenant, objective=Objective.ACQUISITION).order_by(
        "-starts_at", "-id"
    )


def acquisition_campaign_of_link(*, tenant: Tenant, value: str) -> Campaign | None:
    """The acquisition campaign a public form link names (`?campaign=<id>`), if it is one of
    the company's; anything else names none."""
    value = value.strip()
    if not value.isascii() or not value.isdigit() or len(value) > 18:
        return None
    return acquisition_campaigns(tenant=tenant).filter(pk=int(value)).first()


# The board never counts a whole column: past this it says "1,000+" (index-only, ~1 ms), and
# "show more" pages through the first BOARD_COUNT_LIMIT leads of a column (then the list).
BOARD_COUNT_LIMIT = 1000


@dataclass(frozen=True)
class BoardColumn:
    status: str
    label: str
    count: int  # at most BOARD_COUNT_LIMIT + 1
    leads: list[Lead]
    offset: int = 0  # of the first lead shown (a "show more" page starts past the first)

    @property
    def count_is_capped(self) -> bool:
        return self.count > BOARD_COUNT_LIMIT

    @property
    def count_limit(self) -> int:
        return BOARD_COUNT_LIMIT

    @property
    def shown(self) -> int:
        """Leads shown so far in the column, this page included."""
        return self.offset + len(self.leads)

    @property
    def more(self) -> int:
        return max(self.count - self.shown, 0)

    @property
    def may_show_more(self) -> bool:
        """Whether "show more" pages on here, or only the list goes further."""
        return self.more > 0 and self.shown < BOARD_COUNT_LIMIT


# What a card shows, and no more: the customer, owner and campaign rows are wide.
CARD_FIELDS = (
    "id", "tenant_id", "status", "source", "source_detail", "lost_reason", "next_step",
    "next_step_due", "customer__id", "customer__display_name", "owner__id",
    "owner__first_name", "owner__last_name", "owner__username", "campaign__id",
    "campaign__name",
)  # fmt: skip


def _board_base(*, tenant: Tenant, owner: Any) -> QuerySet[Lead]:
    base = Lead.objects.filter(tenant=tenant)
    return base if owner is None else base.filter(owner=owner)


def lead_board(*, tenant: Tenant, owner: Any = None, size: int = BOARD_COLUMN_SIZE):
    """The board: per status the `size` most urgent leads (next step due first; won and lost:
    the latest) and how many there are, counted up to BOARD_COUNT_LIMIT. One indexed query per
    column (lead_board, lead_closed) and one for the counts, whatever the number of leads."""
    base = _board_base(tenant=tenant, owner=owner)
    counts = (
        Tenant.objects.filter(pk=tenant.pk)
        .values(
            **{status.value: _capped_count(base.filter(status=status)) for status in LeadStatus}
        )
        .get()
    )
    return [
        BoardColumn(
            status.value, status.label, counts[status.value], list(_column(base, status, 0, size))
        )
        for status in LeadStatus
    ]


def lead_board_column(
    *, tenant: Tenant, status: str, offset: int, owner: Any = None, size: int = BOARD_COLUMN_SIZE
) -> BoardColumn:
    """The next `size` leads of one board column after the first `offset` ("show more"),
    within the first BOARD_COUNT_LIMIT; its count, capped, in the same indexed way."""
    status = LeadStatus(status)
    offset = max(0, min(offset, BOARD_COUNT_LIMIT))
    size = max(0, min(size, BOARD_COUNT_LIMIT - offset))
    base = _board_base(tenant=tenant, owner=owner)
    count = (
        Tenant.objects.filter(pk=tenant.pk)
        .values(count=_capped_count(base.filter(status=status)))
        .get()["count"]
    )
    leads = list(_column(base, status, offset, size))
    return BoardColumn(status.value, status.label, count, leads, offset)


def _capped_count(queryset: QuerySet[Lead]) -> Func:
    """cardinality(ARRAY(SELECT id ... LIMIT n + 1)): an index-only count that stops early."""
    ids = Subquery(queryset.order_by().values("pk")[: BOARD_COUNT_LIMIT + 1])
    return Func(
        Func(ids, template="ARRAY%(expressions)s"),
        function="cardinality",
        output_field=IntegerField(),
    )


def _column(base: QuerySet[Lead], status: str, offset: int, size: int) -> QuerySet[Lead]:
    order = (
        [F("next_step_due").asc(nulls_last=True), "id"]
        if status not in (LeadStatus.WON, LeadStatus.LOST)
        else ["-status_changed_at", "-id"]
    )
    return (
        base.filter(status=status)
        .select_related("customer", "owner", "campaign")
        .only(*CARD_FIELDS)
        .order_by(*order)[offset : offset + size]
    )


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
        campaigns=acquisition_campaigns(tenant=tenant),
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
    """The customer page's lead (a customer has at most one). Nothing joined: the customer is
    the one in hand, and most customers have no lead, for whom joining the customer, owner and
    campaign rows only made the query dearer to build (5.2 ms of CPU against 1.3); a lead's
    campaign is read when the panel shows it."""
    lead = Lead.objects.filter(tenant=tenant, customer=customer).first()
    if lead is not None:
        lead.customer = customer
    return lead


def acquisition_costs(*, tenant: Tenant, start: date, end: date) -> QuerySet[AcquisitionCost]:
    return (
        AcquisitionCost.objects.filter(tenant=tenant, month__gte=start, month__lte=end)
        .select_related("entered_by", "campaign")
        .order_by("-month", "channel", "campaign__name", "id")
    )


def cost_detail(*, tenant: Tenant, cost_id: int) -> AcquisitionCost:
    return get_object_or_404(
        AcquisitionCost.objects.filter(tenant=tenant).select_related("campaign"), pk=cost_id
    )


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
    campaign: Campaign | None = None
    cost: Decimal = Decimal("0")
    # Of `cost`, what the campaign's messages cost (campaign lines only).
    message_cost: Decimal = Decimal("0")
    customers: int = 0
    leads: int = 0
    leads_won: int = 0
    won: int = 0
    buyers: int = 0
    days_to_first_purchase: int = 0
    values: dict[int, HorizonValue] = field(default_factory=dict)

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
    lines: list[ReportLine]  # per channel
    campaigns: list[ReportLine]  # per campaign, whatever the channel
    message_cost: Decimal  # the acquisition campaigns' messages, in no channel's cost
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


Key = tuple[str, int | None]  # (channel, campaign id)


def acquisition_report(*, tenant: Tenant, start: date, end: date) -> AcquisitionReport:
    """Per channel, and per campaign across channels, for cohorts from `start` to `end`
    (first days of months): cost, leads, conversion rate, time to first purchase, cost per won
    customer, and per channel the value after 3, 6 and 12 months.

    Costs: those entered per channel (and campaign) in the period's months, and what the
    acquisition campaigns' messages cost in those months (recipients sent, at each one's cost).
    A campaign's cost is both of its own; the messages belong to no channel, so the channel
    table shows them on a line of their own and the total counts them once.
    Reads the last nightly run's summaries (a few hundred rows) and the entered costs."""
    run = SummaryRun.objects.filter(tenant=tenant).order_by("-computed_at", "-id").first()
    tiers = list(Tier.objects.filter(tenant=tenant).order_by("position"))
    parts: dict[Key, ReportLine] = {}

    def part(channel: str, campaign_id: int | None) -> ReportLine:
        key = (channel, campaign_id)
        if key not in parts:
            parts[key] = ReportLine(channel, "")
        return parts[key]

    costs = (
        AcquisitionCost.objects.filter(tenant=tenant, month__gte=start, month__lte=end)
        .values_list("channel", "campaign_id")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    for channel, campaign_id, total in costs:
        part(channel, campaign_id).cost += total
    message_costs: dict[int, Decimal] = {}
    if run is not None:
        cohorts = (
            CohortSummary.objects.filter(tenant=tenant, run=run, month__gte=start, month__lte=end)
            .values_list("channel", "campaign_id")
            .annotate(
                Sum("customers"), Sum("leads"), Sum("leads_won"), Sum("won"), Sum("buyers"),
                Sum("days_to_first_purchase"),
            )
            .order_by()
        )  # fmt: skip
        for channel, campaign_id, customers, leads, leads_won, won, buyers, days in cohorts:
            target = part(channel, campaign_id)
            target.customers += customers
            target.leads += leads
            target.leads_won += leads_won
            target.won += won
            target.buyers += buyers
            target.days_to_first_purchase += days
        values = (
            ValueSummary.objects.filter(tenant=tenant, run=run, month__gte=start, month__lte=end)
            .values_list("channel", "campaign_id", "horizon_months")
            .annotate(Sum("customers"), Sum("revenue"), Sum("scored"), Sum("score_sum"))
            .order_by()
        )
        for channel, campaign_id, months, customers, revenue, scored, score_sum in values:
            horizon = part(channel, campaign_id).horizon(months)
            _add_value(horizon, customers, revenue, scored, score_sum, {})
        with connection.cursor() as cursor:
            cursor.execute(
                statement("report_best_tiers"),
                {"tenant_id": tenant.pk, "run_id": run.pk, "start": start, "end": end},
            )
            for channel, campaign_id, months, tier_id, count in cursor.fetchall():
                best = part(channel, campaign_id).horizon(months).best_tiers
                best[tier_id] = best.get(tier_id, 0) + count
        message_costs = dict(
            CampaignCostSummary.objects.filter(
                tenant=tenant, run=run, month__gte=start, month__lte=end
            )
            .values_list("campaign_id")
            .annotate(Sum("amount"))
            .order_by()
        )
    return _assemble(
        tenant=tenant, run=run, start=start, end=end, parts=parts, tiers=tiers,
        message_costs=message_costs,
    )  # fmt: skip


def _add_value(horizon: HorizonValue, customers, revenue, scored, score_sum, best) -> None:
    horizon.customers += customers
    horizon.revenue += revenue
    horizon.scored += scored
    horizon.score_sum += score_sum
    for tier_id, count in best.items():
        horizon.best_tiers[int(tier_id)] = horizon.best_tiers.get(int(tier_id), 0) + count


def _add_line(target: ReportLine, part: ReportLine) -> None:
    for name in ("cost", "message_cost", "customers", "leads", "leads_won", "won", "buyers"):
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


def _assemble(
    *, tenant, run, start, end, parts: dict[Key, ReportLine], tiers, message_costs
) -> AcquisitionReport:
    order = {value: index for index, value in enumerate(AcquisitionChannel.values)}
    by_channel: dict[str, ReportLine] = {}
    by_campaign: dict[int, ReportLine] = {}
    for (channel, campaign_id), piece in parts.items():
        if channel not in by_channel:
            by_channel[channel] = ReportLine(channel, _channel_label(channel))
        _add_line(by_channel[channel], piece)
        if campaign_id is not None:
            if campaign_id not in by_campaign:
                by_campaign[campaign_id] = ReportLine("", "")
            _add_line(by_campaign[campaign_id], piece)
    for campaign_id, amount in message_costs.items():
        line = by_campaign.setdefault(campaign_id, ReportLine("", ""))
        line.cost += amount
        line.message_cost += amount
    campaigns = Campaign.objects.filter(tenant=tenant, pk__in=list(by_campaign)).in_bulk()
    for campaign_id, line in by_campaign.items():
        line.campaign = campaigns.get(campaign_id)
        line.label = str(line.campaign) if line.campaign else f"#{campaign_id}"
    total = ReportLine("", "")
    result = []
    for channel in sorted(by_channel, key=lambda c: order.get(c, len(order))):
        channel_line = by_channel[channel]
        _finish(channel_line, tiers)
        _add_line(total, channel_line)
        result.append(channel_line)
    message_cost = sum(message_costs.values(), Decimal("0"))
    total.cost += message_cost
    _finish(total, tiers)
    return AcquisitionReport(
        run=run,
        start=start,
        end=end,
        lines=result,
        campaigns=sorted(by_campaign.values(), key=lambda line: line.label.casefold()),
        message_cost=message_cost,
        total=total,
        tiers=tiers,
    )
