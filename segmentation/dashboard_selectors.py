"""Reads of the manager's dashboard, served from the tables the recompute writes (run figures,
tier, class and tier × dimension summaries, tier history), never from a scan of the customers.

- pyramid_levels: the layers, peak first, then inactive customers and prospects.
- key_figures: the run's figures beside the previous run's.
- class_lines: the four classes with their definitions (ClassSettings).
- tier_sizes_over_runs, movers, migration_matrix (+ movement_members for its cells).
- vertical_breakdown: one level split by a dimension, beside the whole base.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.cache import cache
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.template.defaultfilters import floatformat
from django.utils.translation import gettext as _

from crm.models import Tenant
from customers.models import (
    AcquisitionChannel,
    Customer,
    CustomerKind,
    LifecycleStage,
    ProductCategory,
)
from segmentation.models import (
    ClassSettings,
    CustomerClass,
    Dimension,
    GrowthBand,
    RunClassSummary,
    RunDimensionSummary,
    RunFigures,
    RunStatus,
    RunTierSummary,
    ScoreRun,
    ScoreStatus,
    Tier,
    TierChange,
)

OUTSIDE_LEVELS = (ScoreStatus.INACTIVE, ScoreStatus.PROSPECT)
HUNDRED = Decimal(100)


def _share(part: Decimal | int, whole: Decimal | int) -> Decimal | None:
    if not whole:
        return None
    return (HUNDRED * Decimal(part) / Decimal(whole)).quantize(Decimal("0.1"))


def runs_succeeded(*, tenant: Tenant, limit: int = 12) -> list[ScoreRun]:
    """The last successful runs, newest first."""
    return list(
        ScoreRun.objects.filter(tenant=tenant, status=RunStatus.SUCCEEDED).order_by(
            "-finished_at", "-id"
        )[:limit]
    )


def run_before(*, tenant: Tenant, run: ScoreRun) -> ScoreRun | None:
    return (
        ScoreRun.objects.filter(
            tenant=tenant, status=RunStatus.SUCCEEDED, finished_at__lt=run.finished_at
        )
        .order_by("-finished_at", "-id")
        .first()
    )


def level_key(tier_id: int | None, status: str) -> str:
    """A pyramid level in URLs: the tier id, or "inactive" / "prospect" outside the pyramid."""
    return str(tier_id) if tier_id is not None else status


def level_label(key: str, tiers_by_id: dict[int, Tier]) -> str:
    if key == ScoreStatus.INACTIVE:
        return _("Inactive")
    if key == ScoreStatus.PROSPECT:
        return _("Prospects")
    if key == ScoreStatus.ACTIVE:
        return _("Active, no tier")
    tier = tiers_by_id.get(int(key)) if key.isdigit() else None
    return tier.name if tier else _("Outside the pyramid")


@dataclass(frozen=True)
class Level:
    key: str
    tier: Tier | None
    label: str
    colour: str
    customers: int
    revenue: Decimal
    margin: Decimal
    customer_share: Decimal | None
    revenue_share: Decimal | None
    margin_share: Decimal | None
    strategy: str = ""


def pyramid_levels(*, tenant: Tenant, run: ScoreRun | None) -> list[Level]:
    """One level per tier (peak first, even when empty), then inactive customers, prospects."""
    if run is None:
        return []
    rows = list(RunTierSummary.objects.filter(tenant=tenant, run=run))
    totals = {
        "customers": sum(row.customers for row in rows),
        "revenue": sum((row.revenue for row in rows), Decimal(0)),
        "margin": sum((row.margin for row in rows), Decimal(0)),
    }
    grouped: dict[str, list[RunTierSummary]] = {}
    for row in rows:
        key = str(row.tier_id) if row.tier_id is not None else row.status
        grouped.setdefault(key, []).append(row)

    def level(key: str, tier: Tier | None, label: str, colour: str) -> Level:
        members = grouped.get(key, [])
        customers = sum(row.customers for row in members)
        revenue = sum((row.revenue for row in members), Decimal(0))
        margin = sum((row.margin for row in members), Decimal(0))
        return Level(
            key=key,
            tier=tier,
            label=label,
            colour=colour,
            customers=customers,
            revenue=revenue,
            margin=margin,
            customer_share=_share(customers, totals["customers"]),
            revenue_share=_share(revenue, totals["revenue"]),
            margin_share=_share(margin, totals["margin"]),
            strategy=tier.strategy if tier else "",
        )

    tiers = list(Tier.objects.filter(tenant=tenant).order_by("position"))
    levels = [level(str(tier.pk), tier, tier.name, tier.colour) for tier in tiers]
    if grouped.get(ScoreStatus.ACTIVE):
        levels.append(level(ScoreStatus.ACTIVE, None, _("Active, no tier"), "#adb5bd"))
    levels.append(level(ScoreStatus.INACTIVE, None, _("Inactive"), "#ced4da"))
    levels.append(level(ScoreStatus.PROSPECT, None, _("Prospects"), "#e9ecef"))
    return levels


@dataclass(frozen=True)
class Figure:
    label: str
    value: Decimal | int | None
    previous: Decimal | int | None
    kind: str  # "count", "money", "percent" or "score"

    @property
    def change(self) -> Decimal | int | None:
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous


def _retention(figures: RunFigures | None) -> Decimal | None:
    if figures is None or not figures.previous_active:
        return None
    return _share(figures.retained, figures.previous_active)


def key_figures(*, tenant: Tenant, run: ScoreRun | None) -> list[Figure]:
    if run is None:
        return []
    previous = run_before(tenant=tenant, run=run)
    by_run = {
        figures.run_id: figures
        for figures in RunFigures.objects.filter(
            tenant=tenant, run_id__in=[run.pk] + ([previous.pk] if previous else [])
        )
    }
    now, before = by_run.get(run.pk), by_run.get(previous.pk) if previous else None
    if now is None:
        return []

    def pair(name: str):
        return getattr(now, name), getattr(before, name) if before else None

    return [
        Figure(_("Active customers"), *pair("active"), "count"),
        Figure(_("Revenue in the window"), *pair("revenue"), "money"),
        Figure(_("Margin in the window"), *pair("margin"), "money"),
        Figure(_("New customers"), *pair("new_customers"), "count"),
        Figure(_("Retained customers"), *pair("retained"), "count"),
        Figure(_("Retention rate"), _retention(now), _retention(before), "percent"),
        Figure(_("Average score"), *pair("average_score"), "score"),
    ]


def class_settings(*, tenant: Tenant) -> ClassSettings:
    return ClassSettings.objects.filter(tenant=tenant).first() or ClassSettings(tenant=tenant)


def class_definitions(*, tenant: Tenant) -> dict[str, str]:
    settings = class_settings(tenant=tenant)
    return {
        CustomerClass.MOST_IMPORTANT: _("Customers in the top %(tiers)s tier(s) of the pyramid.")
        % {"tiers": settings.peak_tiers},
        CustomerClass.FASTEST_GROWING: _(
            "Active customers below the peak whose revenue in the window grew by at least "
            "%(percent)s%% over the window before."
        )
        % {"percent": floatformat(settings.growth_percent, "-2")},
        CustomerClass.CURRENT: _("The rest of the active customers."),
        CustomerClass.POTENTIAL: _(
            "Inactive customers and prospects contacted in the last %(days)s days, or sharing "
            "region, industry and acquisition channel with a most important customer."
        )
        % {"days": settings.contact_days},
    }


@dataclass(frozen=True)
class ClassLine:
    key: str
    label: str
    definition: str
    customers: int
    revenue: Decimal
    customer_share: Decimal | None
    revenue_share: Decimal | None


def class_lines(*, tenant: Tenant, run: ScoreRun | None) -> list[ClassLine]:
    """The four classes (counts, revenue and shares), in their order."""
    if run is None:
        return []
    rows = {
        row.customer_class: row for row in RunClassSummary.objects.filter(tenant=tenant, run=run)
    }
    total_customers = sum(row.customers for row in rows.values())
    total_revenue = sum((row.revenue for row in rows.values()), Decimal(0))
    definitions = class_definitions(tenant=tenant)
    lines = []
    for key, definition in definitions.items():
        row = rows.get(key)
        customers = row.customers if row else 0
        revenue = row.revenue if row else Decimal(0)
        lines.append(
            ClassLine(
                key=key,
                label=CustomerClass(key).label,
                definition=definition,
                customers=customers,
                revenue=revenue,
                customer_share=_share(customers, total_customers),
                revenue_share=_share(revenue, total_revenue),
            )
        )
    return lines


@dataclass(frozen=True)
class RunSizes:
    run: ScoreRun
    sizes: dict[str, int]  # level key -> customers


def tier_sizes_over_runs(*, tenant: Tenant, limit: int = 12) -> list[RunSizes]:
    """Customers per level in each of the last runs, oldest first."""
    runs = runs_succeeded(tenant=tenant, limit=limit)[::-1]
    sizes: dict[int, dict[str, int]] = {run.pk: {} for run in runs}
    for row in RunTierSummary.objects.filter(tenant=tenant, run__in=runs).values(
        "run_id", "tier_id", "status", "customers"
    ):
        key = level_key(row["tier_id"], row["status"])
        run_sizes = sizes[row["run_id"]]
        run_sizes[key] = run_sizes.get(key, 0) + row["customers"]
    return [RunSizes(run, sizes[run.pk]) for run in runs]


def movers(*, tenant: Tenant, run: ScoreRun | None, up: bool) -> list[TierChange]:
    """Who moved up (to a higher tier, or into the pyramid) or down in `run`, biggest revenue
    first: the recompute picked them (RunFigures.movers); their tier changes of that run."""
    if run is None:
        return []
    picked = RunFigures.objects.filter(tenant=tenant, run=run).values_list("movers", flat=True)
    ids = (picked.first() or {}).get("up" if up else "down", [])
    if not ids:
        return []
    changes = TierChange.objects.filter(tenant=tenant, run=run, customer_id__in=ids)
    by_customer = {
        change.customer_id: change
        for change in changes.select_related("customer", "from_tier", "to_tier")
    }
    return [by_customer[pk] for pk in ids if pk in by_customer]


OUTSIDE = "outside"


@dataclass
class Matrix:
    """Customers by their tier at `since` (rows) and at `run` (columns); OUTSIDE = no tier."""

    run: ScoreRun
    since: ScoreRun
    keys: list[str]  # tier ids as text, peak first, then OUTSIDE
    labels: dict[str, str]
    cells: dict[tuple[str, str], int] = field(default_factory=dict)

    def rows(self) -> list[tuple[str, list[tuple[str, int]]]]:
        return [
            (row, [(column, self.cells.get((row, column), 0)) for column in self.keys])
            for row in self.keys
        ]


def _movement_params(*, tenant: Tenant, run: ScoreRun, since: ScoreRun) -> dict:
    return {
        "tenant": tenant.pk,
        "since": since.pk,
        "run": run.pk,
        "since_at": since.finished_at,
        "run_at": run.finished_at,
    }


def _key(tier_id: int | None) -> str:
    return str(tier_id) if tier_id is not None else OUTSIDE


def migration_matrix(*, tenant: Tenant, run: ScoreRun, since: ScoreRun) -> Matrix:
    """The matrix between `since` and the latest run `run` (cached: both runs are history)."""
    from django.db import connection

    from segmentation import sql

    tiers = list(Tier.objects.filter(tenant=tenant).order_by("position"))
    keys = [str(tier.pk) for tier in tiers] + [OUTSIDE]
    labels = {str(tier.pk): tier.name for tier in tiers} | {OUTSIDE: _("Outside the pyramid")}
    cache_key = f"segmentation:matrix:{tenant.pk}:{since.pk}:{run.pk}"
    cells = cache.get(cache_key)
    if cells is None:
        with connection.cursor() as cursor:
            cursor.execute(
                sql.statement("movement_counts"),
                _movement_params(tenant=tenant, run=run, since=since),
            )
            changed = {(_key(a), _key(b)): n for a, b, n in cursor.fetchall()}
        at_run: dict[str, int] = {}
        for row in RunTierSummary.objects.filter(tenant=tenant, run=run).values(
            "tier_id", "customers"
        ):
            key = _key(row["tier_id"])
            at_run[key] = at_run.get(key, 0) + row["customers"]
        cells = dict(changed)
        for key in keys:
            moved_in = sum(n for (a, b), n in changed.items() if b == key and a != key)
            stayed = at_run.get(key, 0) - moved_in
            if key != OUTSIDE:
                cells[(key, key)] = max(stayed, 0)
        cells.pop((OUTSIDE, OUTSIDE), None)
        cache.set(cache_key, cells, 24 * 3600)
    return Matrix(run=run, since=since, keys=keys, labels=labels, cells=cells)


def _tier_or_none(key: str) -> int | None:
    return None if key == OUTSIDE else int(key)


def movement_members(
    *, tenant: Tenant, run: ScoreRun, since: ScoreRun, from_key: str, to_key: str
) -> QuerySet[Customer]:
    """The customers of one matrix cell: tier `from_key` at `since`, `to_key` at `run`
    (the latest run, whose tiers the stored facts hold)."""
    params = _movement_params(tenant=tenant, run=run, since=since)
    interval = Q(run_id__gt=params["since"], run_id__lte=params["run"]) | Q(
        run__isnull=True, changed_at__gt=params["since_at"], changed_at__lte=params["run_at"]
    )
    changes = (
        TierChange.objects.filter(tenant=tenant, customer=OuterRef("pk"))
        .filter(interval)
        .order_by("changed_at", "id")
    )
    source, target = _tier_or_none(from_key), _tier_or_none(to_key)
    customers = Customer.objects.filter(tenant=tenant, facts__isnull=False).annotate(
        moved=Exists(changes), first_from=Subquery(changes.values("from_tier_id")[:1])
    )
    if target is None:
        customers = customers.filter(facts__tier__isnull=True)
    else:
        customers = customers.filter(facts__tier_id=target)
    came_from = Q(first_from__isnull=True) if source is None else Q(first_from=source)
    if source == target:
        return customers.filter(Q(moved=False) | (Q(moved=True) & came_from))
    return customers.filter(moved=True).filter(came_from)


# --- the vertical segmentation --------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    value: str
    label: str
    customers: int
    revenue: Decimal
    margin: Decimal
    average_score: Decimal | None
    customer_share: Decimal | None  # of the level's customers
    revenue_share: Decimal | None  # of the level's revenue
    base_customers: int
    base_customer_share: Decimal | None  # of all customers
    base_revenue_share: Decimal | None

    @property
    def representation(self) -> Decimal | None:
        """The level's share over the base's share, in % (100: as common as in the base)."""
        if self.customer_share is None or not self.base_customer_share:
            return None
        return (HUNDRED * self.customer_share / self.base_customer_share).quantize(Decimal("1"))


def dimension_labels(*, tenant: Tenant, dimension: str, values: Iterable[str]) -> dict[str, str]:
    choices: dict[str, str] = {}
    if dimension == Dimension.ACQUISITION_CHANNEL:
        choices = dict(AcquisitionChannel.choices)
    elif dimension == Dimension.LIFECYCLE_STAGE:
        choices = dict(LifecycleStage.choices)
    elif dimension == Dimension.KIND:
        choices = dict(CustomerKind.choices)
    elif dimension == Dimension.GROWTH_BAND:
        choices = dict(GrowthBand.choices)
    elif dimension == Dimension.CATEGORY:
        ids = [int(value) for value in values if value.isdigit()]
        choices = {
            str(pk): name
            for pk, name in ProductCategory.objects.filter(tenant=tenant, pk__in=ids).values_list(
                "pk", "name"
            )
        }
    return {value: str(choices.get(value, value)) or _("Not given") for value in values}


def _in_level(row: RunDimensionSummary, level: str) -> bool:
    if level.isdigit():
        return row.tier_id == int(level)
    return row.tier_id is None and row.status == level


def vertical_breakdown(*, tenant: Tenant, run: ScoreRun, level: str, dimension: str) -> list[Cell]:
    """The level's customers split by `dimension`, each value beside the whole base's figure;
    most customers first."""
    rows = list(RunDimensionSummary.objects.filter(tenant=tenant, run=run, dimension=dimension))
    level_totals = {"customers": 0, "revenue": Decimal(0)}
    base_totals = {"customers": 0, "revenue": Decimal(0)}
    per_value: dict[str, dict] = {}
    for row in rows:
        entry = per_value.setdefault(
            row.value,
            {
                "customers": 0,
                "revenue": Decimal(0),
                "margin": Decimal(0),
                "score_sum": Decimal(0),
                "scored": 0,
                "base_customers": 0,
                "base_revenue": Decimal(0),
            },
        )
        entry["base_customers"] += row.customers
        entry["base_revenue"] += row.revenue
        if _in_level(row, level):
            entry["customers"] += row.customers
            entry["revenue"] += row.revenue
            entry["margin"] += row.margin
            entry["score_sum"] += row.score_sum or 0
            entry["scored"] += row.scored
    # Categories overlap (a customer in several), so their shares are of the level's customers
    # as counted in the general summary, not of the sum of cells.
    for summary in RunTierSummary.objects.filter(tenant=tenant, run=run):
        base_totals["customers"] += summary.customers
        base_totals["revenue"] += summary.revenue
        key = level_key(summary.tier_id, summary.status)
        if key == level or (level.isdigit() and summary.tier_id == int(level)):
            level_totals["customers"] += summary.customers
            level_totals["revenue"] += summary.revenue
    labels = dimension_labels(tenant=tenant, dimension=dimension, values=per_value)
    cells = [
        Cell(
            value=value,
            label=labels[value],
            customers=entry["customers"],
            revenue=entry["revenue"],
            margin=entry["margin"],
            average_score=(entry["score_sum"] / entry["scored"]).quantize(Decimal("0.01"))
            if entry["scored"]
            else None,
            customer_share=_share(entry["customers"], level_totals["customers"]),
            revenue_share=_share(entry["revenue"], level_totals["revenue"]),
            base_customers=entry["base_customers"],
            base_customer_share=_share(entry["base_customers"], base_totals["customers"]),
            base_revenue_share=_share(entry["base_revenue"], base_totals["revenue"]),
        )
        for value, entry in per_value.items()
    ]
    return sorted(cells, key=lambda cell: (-cell.customers, -cell.base_customers, cell.label))


def dimension_values(*, tenant: Tenant, dimension: str) -> list[str]:
    """The values of a dimension among the customers of the last run (e.g. the industries the
    builder offers), from the summaries instead of a scan of the customers."""
    run = runs_succeeded(tenant=tenant, limit=1)
    if not run:
        return []
    return sorted(
        RunDimensionSummary.objects.filter(tenant=tenant, run=run[0], dimension=dimension)
        .exclude(value="")
        .values_list("value", flat=True)
        .distinct()
    )


def segment_sizes(*, tenant: Tenant, segment, limit: int = 12) -> list:
    """The segment's size and revenue in each of the last runs, oldest first."""
    from segmentation.models import SegmentRunSize

    rows = (
        SegmentRunSize.objects.filter(tenant=tenant, segment=segment)
        .select_related("run")
        .order_by("-run__finished_at", "-run_id")[:limit]
    )
    return list(rows)[::-1]
