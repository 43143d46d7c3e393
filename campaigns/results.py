"""A campaign's results against its control group: contacted, delivered, clicked, converted,
conversion rate, attributed revenue and margin, cost and ROI, the uplift, and whether the
difference is distinguishable from chance (Pearson's chi-square test on the 2×2 table — the
two-sided two-proportion z-test — from SciPy; Fisher's exact test when a cell is expected to
hold fewer than 5 customers)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from scipy.stats import chi2_contingency, fisher_exact

from campaigns import sql
from crm.models import Tenant
from customers.models import LifecycleStage
from segmentation.models import Segment, Tier
from segmentation.segment_selectors import segment_members

SIGNIFICANCE = 0.05
BREAKDOWNS = {
    "": ("NULL", ""),
    "tier": (
        "cs.tier_id",
        "LEFT JOIN segmentation_customerscore cs ON cs.customer_id = m.customer_id",
    ),
    "stage": (
        "cu.lifecycle_stage",
        "JOIN customers_customer cu ON cu.id = m.customer_id",
    ),
}


@dataclass
class GroupResult:
    members: int = 0
    contacted: int = 0
    delivered: int = 0
    clicked: int = 0
    converted: int = 0
    revenue: Decimal = Decimal("0")
    margin: Decimal = Decimal("0")
    cost: Decimal = Decimal("0")

    @property
    def conversion_rate(self) -> float | None:
        return self.converted / self.members if self.members else None

    @property
    def conversion_percent(self) -> float | None:
        """The conversion rate as a percentage (for people: 3.4 rather than 0.034)."""
        rate = self.conversion_rate
        return None if rate is None else rate * 100

    @property
    def margin_per_member(self) -> Decimal | None:
        return self.margin / self.members if self.members else None


@dataclass
class Significance:
    p_value: float | None
    test: str  # "chi2", "fisher" or ""
    distinguishable: bool
    statement: str


@dataclass
class CampaignResult:
    target: GroupResult = field(default_factory=GroupResult)
    control: GroupResult = field(default_factory=GroupResult)

    @property
    def uplift(self) -> float | None:
        """Conversion-rate difference, contacted minus control (0.03 = 3 percentage points)."""
        if self.target.conversion_rate is None or self.control.conversion_rate is None:
            return None
        return self.target.conversion_rate - self.control.conversion_rate

    @property
    def uplift_points(self) -> float | None:
        """The uplift in percentage points (for people: 1.2 rather than 0.012)."""
        return None if self.uplift is None else self.uplift * 100

    @property
    def incremental_margin(self) -> Decimal | None:
        """The margin the campaign added: the contacted group's margin per customer above the
        control group's, times the contacted group's size."""
        if not self.target.members or not self.control.members:
            return None
        per_member = self.target.margin_per_member - self.control.margin_per_member
        return _money(per_member * self.target.members)

    @property
    def roi(self) -> Decimal | None:
        """(attributed margin − cost) ÷ cost."""
        if not self.target.cost:
            return None
        return _ratio((self.target.margin - self.target.cost) / self.target.cost)

    @property
    def incremental_roi(self) -> Decimal | None:
        """(incremental margin − cost) ÷ cost: what the campaign earned beyond doing nothing."""
        if not self.target.cost or self.incremental_margin is None:
            return None
        return _ratio((self.incremental_margin - self.target.cost) / self.target.cost)

    @property
    def significance(self) -> Significance:
        return significance_of(self.target, self.control)


def _money(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _ratio(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def significance_of(target: GroupResult, control: GroupResult) -> Significance:
    if not control.members:
        return Significance(
            None, "", False, _("No control group: the effect cannot be told apart from chance.")
        )
    if not target.members:
        return Significance(None, "", False, _("Nobody was contacted yet."))
    table = [
        [target.converted, target.members - target.converted],
        [control.converted, control.members - control.converted],
    ]
    if (target.converted + control.converted) == 0 or (
        target.converted == target.members and control.converted == control.members
    ):
        return Significance(
            1.0, "", False, _("Both groups converted alike: no difference to test.")
        )
    total = target.members + control.members
    converted = target.converted + control.converted
    expected_smallest = (
        min(
            target.members * converted,
            target.members * (total - converted),
            control.members * converted,
            control.members * (total - converted),
        )
        / total
    )
    if expected_smallest < 5:
        p_value = float(fisher_exact(table).pvalue)
        test = "fisher"
    else:
        p_value = float(chi2_contingency(table, correction=False).pvalue)
        test = "chi2"
    distinguishable = p_value < SIGNIFICANCE
    if distinguishable:
        statement = _(
            "The difference from the control group is unlikely to be chance (p = %(p).3f)."
        ) % {"p": p_value}
    else:
        statement = _(
            "The difference from the control group could well be chance (p = %(p).3f); "
            "do not read much into it yet."
        ) % {"p": p_value}
    return Significance(p_value, test, distinguishable, statement)


def _rows(
    *,
    tenant: Tenant,
    campaign_ids: list[int],
    breakdown: str,
    members: QuerySet | None = None,
) -> list[tuple]:
    column, join = BREAKDOWNS[breakdown]
    members_filter, members_params = "", []
    if members is not None:
        members_sql, members_params = members.query.sql_with_params()
        members_filter = f"AND r.customer_id IN ({members_sql})"
    query = (
        sql.statement("results")
        .replace("{members_filter}", members_filter)
        .replace("{breakdown_join}", join)
        .replace("{breakdown}", column)
    )
    with connection.cursor() as cursor:
        cursor.execute(query, [tenant.pk, campaign_ids, *members_params])
        return cursor.fetchall()


def _add(result: CampaignResult, row: tuple) -> None:
    _campaign, group, _breakdown, members, contacted, delivered, clicked, converted, *money = row
    revenue, margin, cost = money
    target = result.target if group == "target" else result.control
    target.members += members
    target.contacted += contacted
    target.delivered += delivered
    target.clicked += clicked
    target.converted += converted
    target.revenue += revenue
    target.margin += margin
    target.cost += cost


def campaign_results(*, tenant: Tenant, campaign_ids: list[int]) -> dict[int, CampaignResult]:
    """Results of several campaigns at once (one query): {campaign id: result}."""
    results: dict[int, CampaignResult] = defaultdict(CampaignResult)
    for campaign_id in campaign_ids:
        results[campaign_id] = CampaignResult()
    for row in _rows(tenant=tenant, campaign_ids=campaign_ids, breakdown=""):
        _add(results[row[0]], row)
    return dict(results)


def campaign_results_per_segment(
    *, tenant: Tenant, campaign_id: int, limit: int = 20
) -> list[tuple[Segment, CampaignResult]]:
    """One campaign's results among the members of each saved segment (now), one query per
    segment."""
    rows = []
    for segment in Segment.objects.filter(tenant=tenant).order_by("name")[:limit]:
        result = CampaignResult()
        members = segment_members(tenant=tenant, segment=segment).values("id")
        for row in _rows(tenant=tenant, campaign_ids=[campaign_id], breakdown="", members=members):
            _add(result, row)
        rows.append((segment, result))
    return rows


def campaign_results_by(
    *, tenant: Tenant, campaign_id: int, breakdown: str
) -> dict[object, CampaignResult]:
    """One campaign's results split by the customers' current tier id or lifecycle stage."""
    results: dict[object, CampaignResult] = defaultdict(CampaignResult)
    for row in _rows(tenant=tenant, campaign_ids=[campaign_id], breakdown=breakdown):
        _add(results[row[2]], row)
    return dict(results)


@dataclass(frozen=True)
class BreakdownRow:
    label: str
    result: CampaignResult


def campaign_breakdown(*, tenant: Tenant, campaign_id: int, by: str) -> list[BreakdownRow]:
    """The campaign's results per saved segment, per current tier (peak first) or per
    lifecycle stage, labelled for the page."""
    if by == "segment":
        return [
            BreakdownRow(segment.name, result)
            for segment, result in campaign_results_per_segment(
                tenant=tenant, campaign_id=campaign_id
            )
        ]
    parts = campaign_results_by(tenant=tenant, campaign_id=campaign_id, breakdown=by)
    if by == "tier":
        tiers = list(Tier.objects.filter(tenant=tenant).order_by("position"))
        rows = [BreakdownRow(str(tier), parts[tier.pk]) for tier in tiers if tier.pk in parts]
        if None in parts:
            rows.append(BreakdownRow(_("No tier"), parts[None]))
        return rows
    return [
        BreakdownRow(LifecycleStage(stage).label, parts[stage])
        for stage in LifecycleStage.values
        if stage in parts
    ]
