"""The dashboard's pages: a level's vertical breakdown, and the customer lists its links open
(a level × dimension cell, a class, a migration-matrix cell). Thin: parse, call selectors,
render. (The dashboard itself is views.pyramid.)"""

from __future__ import annotations

import hashlib

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.timezone import get_current_timezone_name
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from crm.tenancy.permissions import role_has_permission, tenant_permission_required
from customers.models import ProductCategory
from customers.selectors import page_without_count
from segmentation import charts
from segmentation import dashboard_selectors as dashboard
from segmentation.forms import CustomerCellForm
from segmentation.models import Dimension, RunStatus, ScoreRun, ScoreStatus, Tier
from segmentation.segment_selectors import criteria_members
from segmentation.selectors import run_last_succeeded

PAGE_SIZE = 25


# The dashboard's sections that follow from the last run (key figures, pyramid, classes,
# movement), rendered once and then served from the cache: ~20 queries and most of the
# template rendering per page view otherwise. The key holds everything they show besides the
# run's summaries (which never change once written): the runs compared, the language and time
# zone, the role (a link for admins), and the tiers' and class settings' current values, so an
# edit shows at once. Only the movers' names (a customer renamed since) may lag, by at most
# DASHBOARD_CACHE_SECONDS.
DASHBOARD_CACHE_SECONDS = 600
DASHBOARD_SECTIONS = {
    "figures": "segmentation/_key_figures.html",
    "pyramid": "segmentation/_dashboard_pyramid.html",
    "classes": "segmentation/_classes.html",
    "movement": "segmentation/_dashboard_movement.html",
}


def dashboard_context(
    request: HttpRequest, *, run: ScoreRun, runs: list[ScoreRun], since: ScoreRun | None
) -> dict:
    """Everything the dashboard's run sections show, from the summaries of `run` (the last
    successful one; `runs` the last 30, newest first) and `since` (an earlier one)."""
    tenant = request.tenant
    levels = dashboard.pyramid_levels(tenant=tenant, run=run)
    shapes, pyramid_height = charts.pyramid_shapes(levels)
    history = dashboard.tier_sizes_over_runs(tenant=tenant)
    columns, history_width = charts.tier_size_columns(history, levels)
    return {
        "last_run": run,
        "dashboard_levels": levels,
        "pyramid_shapes": shapes,
        "pyramid_height": pyramid_height,
        "figures": dashboard.key_figures(tenant=tenant, run=run),
        "classes": dashboard.class_lines(tenant=tenant, run=run),
        "history_columns": columns,
        "history_width": history_width,
        "history_height": charts.CHART_HEIGHT,
        "movers_up": dashboard.movers(tenant=tenant, run=run, up=True),
        "movers_down": dashboard.movers(tenant=tenant, run=run, up=False),
        "since": since,
        "earlier_runs": [r for r in runs if r.pk != run.pk],
        "matrix": dashboard.migration_matrix(tenant=tenant, run=run, since=since)
        if since is not None
        else None,
    }


def _since(request: HttpRequest, *, run: ScoreRun, runs: list[ScoreRun]) -> ScoreRun | None:
    """`?since=` if it names an earlier run of `runs`, else the run before `run`."""
    since_id = request.GET.get("since", "")
    chosen = next((r for r in runs if str(r.pk) == since_id and r.pk != run.pk), None)
    if chosen is None and run in runs:
        # The run before `run` (runs are newest first), as dashboard.run_before finds it.
        chosen = next((r for r in runs if r.finished_at < run.finished_at), None)
    return chosen or dashboard.run_before(tenant=request.tenant, run=run)


def _cache_key(request: HttpRequest, name: str, *, run: ScoreRun, shown: tuple) -> str:
    """A cache key for `name` rendered from `run`'s summaries, with what else it shows
    (`shown`) and what every rendering depends on: language, time zone, the admin's links, the
    tiers' names, colours and strategies (two small queries)."""
    tenant = request.tenant
    tiers = Tier.objects.filter(tenant=tenant).order_by("position")
    settings = dashboard.class_settings(tenant=tenant)
    everything = (
        *shown,
        get_language(),
        get_current_timezone_name(),
        role_has_permission(request.tenant_role, "settings.manage"),
        list(tiers.values_list("pk", "position", "name_tr", "name_en", "colour", "strategy")),
        (settings.peak_tiers, str(settings.growth_percent), settings.contact_days),
    )
    digest = hashlib.sha256(repr(everything).encode()).hexdigest()[:32]
    return f"segmentation:{name}:{tenant.pk}:{run.pk}:{digest}"


def dashboard_sections(request: HttpRequest, *, run: ScoreRun | None) -> dict[str, str]:
    """The run sections of the dashboard as HTML, from the cache when this run's were rendered
    already (see DASHBOARD_SECTIONS)."""
    if run is None:
        return {}
    runs = dashboard.runs_succeeded(tenant=request.tenant, limit=30)
    since = _since(request, run=run, runs=runs)
    key = _cache_key(
        request, "dashboard", run=run, shown=(since.pk if since else 0, [r.pk for r in runs])
    )
    sections = cache.get(key)
    if sections is None:
        context = dashboard_context(request, run=run, runs=runs, since=since)
        sections = {
            name: render_to_string(template, context, request=request)
            if name not in context or context[name]  # no figures or classes: no section
            else ""
            for name, template in DASHBOARD_SECTIONS.items()
        }
        cache.set(key, sections, DASHBOARD_CACHE_SECONDS)
    # Our own rendering of our own templates (autoescaped), kept as it came out.
    return {name: mark_safe(html) for name, html in sections.items()}


# The customer list's parameter for each dimension (core filters, or segmentation's registered
# ones: customers/list_extensions.py).
LIST_PARAMETER = {
    Dimension.REGION: "region",
    Dimension.CITY: "city",
    Dimension.INDUSTRY: "industry",
    Dimension.ACQUISITION_CHANNEL: "acquisition_channel",
    Dimension.LIFECYCLE_STAGE: "lifecycle_stage",
    Dimension.KIND: "kind",
    Dimension.CATEGORY: "category_bought",
    Dimension.GROWTH_BAND: "growth_band",
}


def cell_url(*, tenant_slug: str, level: str, dimension: str, value: str) -> str:
    """The customer list filtered to one cell: the level (tier, or outside the pyramid) and the
    dimension's value. The list cannot ask for an empty value ("not given"): those cells open
    segmentation's own member list."""
    level_parameter = ("tier", level) if level.isdigit() else ("outside", level)
    if value:
        query = urlencode([level_parameter, (LIST_PARAMETER[dimension], value)])
        return f"{reverse('customers:list', kwargs={'tenant_slug': tenant_slug})}?{query}"
    query = urlencode([("level", level), ("blank", dimension)])
    url = reverse("segmentation:cell_customers", kwargs={"tenant_slug": tenant_slug})
    return f"{url}?{query}"


def _level_or_404(tenant, level: str) -> tuple[str, Tier | None]:
    if level in (ScoreStatus.INACTIVE, ScoreStatus.PROSPECT):
        return level, None
    if not level.isdigit():
        raise Http404
    return level, get_object_or_404(Tier, tenant=tenant, pk=int(level))


@login_required
@tenant_permission_required("dashboard.view")
@require_GET
def level_breakdown(request: HttpRequest, tenant_slug: str, level: str) -> HttpResponse:
    """One level of the pyramid split by a dimension the manager picks."""
    tenant = request.tenant
    level, tier = _level_or_404(tenant, level)
    dimension = request.GET.get("dimension", Dimension.REGION)
    if dimension not in Dimension.values:
        dimension = Dimension.REGION
    run = run_last_succeeded(tenant=tenant)
    colour = tier.colour if tier else "#adb5bd"
    breakdown = ""
    if run is not None:
        breakdown = _breakdown_html(
            request, run=run, level=level, dimension=dimension, colour=colour
        )
    tiers_by_id = {tier.pk: tier} if tier else {}
    return render(
        request,
        "segmentation/level.html",
        {
            "level": level,
            "tier": tier,
            "level_label": dashboard.level_label(level, tiers_by_id),
            "colour": colour,
            "dimension": dimension,
            "dimensions": Dimension.choices,
            "breakdown": breakdown,
            "last_run": run,
        },
    )


def _breakdown_html(
    request: HttpRequest, *, run: ScoreRun, level: str, dimension: str, colour: str
) -> str:
    """The level's breakdown (table and bars) rendered, from the cache once it was for this run
    (see DASHBOARD_SECTIONS; a category renamed since is a new key too)."""
    shown: tuple = (level, dimension)
    if dimension == Dimension.CATEGORY:
        shown += (
            list(
                ProductCategory.objects.filter(tenant=request.tenant)
                .order_by("pk")
                .values_list("pk", "name")
            ),
        )
    key = _cache_key(request, "breakdown", run=run, shown=shown)
    html = cache.get(key)
    if html is None:
        tenant = request.tenant
        cells = dashboard.vertical_breakdown(
            tenant=tenant, run=run, level=level, dimension=dimension
        )
        bars, chart_height = charts.breakdown_bars(cells)
        links = [
            (
                cell,
                cell_url(
                    tenant_slug=tenant.slug, level=level, dimension=dimension, value=cell.value
                ),
            )
            for cell in cells
        ]
        context = {
            "colour": colour,
            "dimension_label": Dimension(dimension).label,
            "cells": links,
            "bars": bars,
            "chart_height": chart_height,
            "bar_area": charts.BAR_AREA,
        }
        html = (
            render_to_string("segmentation/_level_breakdown.html", context, request=request)
            if cells
            else ""
        )
        cache.set(key, html, DASHBOARD_CACHE_SECONDS)
    return mark_safe(html)


def member_page(request: HttpRequest, customers) -> object:
    customers = customers.select_related("facts", "facts__tier", "score").order_by(
        F("score__score").desc(nulls_last=True), "name_sort_key", "id"
    )
    return page_without_count(customers, page=request.GET.get("page"), page_size=PAGE_SIZE)


def _query_string(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@login_required
@tenant_permission_required("dashboard.view")
@require_GET
def cell_customers(request: HttpRequest, tenant_slug: str) -> HttpResponse:
    """The customers of a dashboard link: a level, a dimension value, a class (combined)."""
    form = CustomerCellForm(request.GET, tenant=request.tenant)
    page = None
    if form.is_valid():
        customers = criteria_members(tenant=request.tenant, criteria=form.criteria())
        page = member_page(request, customers)
    return render(
        request,
        "segmentation/customers.html",
        {"form": form, "page": page, "query_string": _query_string(request)},
    )


@login_required
@tenant_permission_required("dashboard.view")
@require_GET
def movement_customers(request: HttpRequest, tenant_slug: str) -> HttpResponse:
    """The customers of one cell of the migration matrix."""
    tenant = request.tenant
    run = run_last_succeeded(tenant=tenant)
    try:
        since = ScoreRun.objects.get(
            tenant=tenant, status=RunStatus.SUCCEEDED, pk=int(request.GET.get("since", ""))
        )
    except (ValueError, ScoreRun.DoesNotExist):
        raise Http404 from None
    keys = {dashboard.OUTSIDE} | {
        str(pk) for pk in Tier.objects.filter(tenant=tenant).values_list("pk", flat=True)
    }
    from_key, to_key = request.GET.get("from", ""), request.GET.get("to", "")
    if run is None or from_key not in keys or to_key not in keys:
        raise Http404
    customers = dashboard.movement_members(
        tenant=tenant, run=run, since=since, from_key=from_key, to_key=to_key
    )
    matrix = dashboard.migration_matrix(tenant=tenant, run=run, since=since)
    return render(
        request,
        "segmentation/movement_customers.html",
        {
            "page": member_page(request, customers),
            "query_string": _query_string(request),
            "since": since,
            "last_run": run,
            "from_label": matrix.labels[from_key],
            "to_label": matrix.labels[to_key],
        },
    )
