"""The dashboard's pages: a level's vertical breakdown, and the customer lists its links open
(a level × dimension cell, a class, a migration-matrix cell). Thin: parse, call selectors,
render. (The dashboard itself is views.pyramid.)"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from crm.tenancy.permissions import tenant_permission_required
from customers.selectors import page_without_count
from segmentation import charts
from segmentation import dashboard_selectors as dashboard
from segmentation.forms import CustomerCellForm
from segmentation.models import Dimension, RunStatus, ScoreRun, ScoreStatus, Tier
from segmentation.segment_selectors import criteria_members
from segmentation.selectors import run_last_succeeded

PAGE_SIZE = 25


def dashboard_context(request: HttpRequest) -> dict:
    """Everything the dashboard shows, from the summaries of the last run (and `?since=`)."""
    tenant = request.tenant
    run = run_last_succeeded(tenant=tenant)
    levels = dashboard.pyramid_levels(tenant=tenant, run=run)
    shapes, pyramid_height = charts.pyramid_shapes(levels)
    history = dashboard.tier_sizes_over_runs(tenant=tenant)
    columns, history_width = charts.tier_size_columns(history, levels)
    runs = dashboard.runs_succeeded(tenant=tenant, limit=30)
    since = None
    if run is not None:
        since_id = request.GET.get("since", "")
        since = next(
            (r for r in runs if str(r.pk) == since_id and r.pk != run.pk),
            dashboard.run_before(tenant=tenant, run=run),
        )
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
        "earlier_runs": [r for r in runs if run is not None and r.pk != run.pk],
        "matrix": dashboard.migration_matrix(tenant=tenant, run=run, since=since)
        if run is not None and since is not None
        else None,
    }


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
    cells = (
        dashboard.vertical_breakdown(tenant=tenant, run=run, level=level, dimension=dimension)
        if run
        else []
    )
    bars, chart_height = charts.breakdown_bars(cells)
    links = [
        (
            cell,
            cell_url(tenant_slug=tenant.slug, level=level, dimension=dimension, value=cell.value),
        )
        for cell in cells
    ]
    tiers_by_id = {tier.pk: tier} if tier else {}
    return render(
        request,
        "segmentation/level.html",
        {
            "level": level,
            "tier": tier,
            "level_label": dashboard.level_label(level, tiers_by_id),
            "colour": tier.colour if tier else "#adb5bd",
            "dimension": dimension,
            "dimension_label": Dimension(dimension).label,
            "dimensions": Dimension.choices,
            "cells": links,
            "bars": bars,
            "chart_height": chart_height,
            "bar_area": charts.BAR_AREA,
            "last_run": run,
        },
    )


def member_page(request: HttpRequest, customers) -> object:
    customers = customers.select_related("facts", "facts__tier").order_by(
        F("facts__score").desc(nulls_last=True), "name_sort_key", "id"
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
