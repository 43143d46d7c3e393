"""The recompute's dashboard step: per-customer facts (class, growth, categories), the run's key
figures, the class summaries, the tier × dimension cells and each saved segment's size.

Runs inside the recompute's transaction, after the scores and the tier summaries and before
the staging tables go (it reads seg_final), so a dashboard never shows half a run. Kept apart
from the scoring statements: its SQL is in segmentation/sql/dashboard_*.sql.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.db import connection
from django_scopes import scope

from crm.models import Tenant
from segmentation import sql
from segmentation.models import ClassSettings, ScoreRun, Segment

if TYPE_CHECKING:
    from segmentation.services.recompute import _Steps

# Revenue growth compares the activity window with the one before it; an all-time activity
# window compares the last year with the year before.
GROWTH_DEFAULT_DAYS = 365


def class_settings(*, tenant: Tenant) -> ClassSettings:
    """The tenant's class thresholds (an unsaved row with the defaults if none was saved)."""
    found = ClassSettings.objects.with_scopes_disabled().filter(tenant=tenant).first()
    return found or ClassSettings(tenant=tenant)


def growth_windows(*, activity_since: datetime, now: datetime) -> tuple[datetime, datetime]:
    """(start of the growth window, start of the window before it)."""
    days = (now - activity_since).days
    if days <= 0 or days > 3650:
        days = GROWTH_DEFAULT_DAYS
    since = now - timedelta(days=days)
    return since, since - timedelta(days=days)


def dashboard_parameters(*, tenant: Tenant, params: dict) -> dict:
    """The step's query parameters; set before the scoring's first step, whose scan of the
    transactions also sums the growth windows and the last purchase (raw_values.sql)."""
    settings = class_settings(tenant=tenant)
    now = params["now"]
    growth_since, growth_previous_since = growth_windows(
        activity_since=params["activity_since"], now=now
    )
    return {
        "growth_since": growth_since,
        "growth_previous_since": growth_previous_since,
        "contact_since": now - timedelta(days=settings.contact_days),
        "peak_tiers": settings.peak_tiers,
        "growth_percent": settings.growth_percent,
    }


def dashboard_summaries_write(*, tenant: Tenant, run: ScoreRun, steps: _Steps) -> None:
    steps.run("dashboard: facts", sql.statement("dashboard_facts"))
    steps.run("dashboard: analyze", "ANALYZE seg_facts")
    steps.run("dashboard: figures", sql.statement("dashboard_figures"))
    steps.run("dashboard: movers", sql.statement("dashboard_movers"))
    steps.run("dashboard: classes", sql.statement("dashboard_classes"))
    steps.run("dashboard: dimensions", sql.statement("dashboard_dimensions"))
    steps.run("dashboard: categories", sql.statement("dashboard_categories"))
    steps.run("dashboard: facts delete", sql.statement("dashboard_facts_delete"))
    steps.run("dashboard: facts update", sql.statement("dashboard_facts_update"))
    steps.run("dashboard: facts insert", sql.statement("dashboard_facts_insert"))
    with steps.timed("dashboard: segment sizes"):
        _segment_sizes_write(tenant=tenant, run=run)
    steps.run("drop dashboard staging", "DROP TABLE seg_facts")


def _segment_sizes_write(*, tenant: Tenant, run: ScoreRun) -> None:
    """One INSERT ... SELECT per saved segment, over the facts just written."""
    from segmentation.segment_selectors import segment_members

    with scope(tenant=tenant):
        for segment in Segment.objects.filter(tenant=tenant).order_by("pk"):
            members = segment_members(tenant=tenant, segment=segment).values("pk", "facts__revenue")
            query, params = members.query.sql_with_params()
            with connection.cursor() as cursor:
                cursor.execute(
                    "INSERT INTO segmentation_segmentrunsize "
                    "(tenant_id, segment_id, run_id, customers, revenue) "
                    "SELECT %s, %s, %s, count(*), coalesce(sum(m.revenue), 0) "
                    f"FROM ({query}) AS m(id, revenue)",
                    [tenant.pk, segment.pk, run.pk, *params],
                )
