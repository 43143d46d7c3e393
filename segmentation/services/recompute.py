"""The recompute: every customer's score, rank and tier for one tenant, in set-based SQL.

One database transaction per tenant: readers see the previous run's scores until the new ones
are committed all at once. A session-level advisory lock keyed on the tenant makes a second
concurrent run record "skipped" instead of waiting or interleaving, and tells at once whether a
"running" run is still alive (services/runs.py). If anything fails, the
transaction rolls back (the previous scores stay) and the run records the error.

The SQL and the scoring rules are in segmentation/sql/ (see its module docstring).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import DatabaseError, OperationalError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from psycopg import errors as database_errors

from crm.models import Tenant
from crm.rls import owner_mode
from crm.whole_tenant import (
    stale_statistics_refresh,
    statistics_missing_refresh,
    whole_tenant_planning_set,
)
from customers.models import Customer, Feedback, Interaction, Transaction
from segmentation import sql
from segmentation.metrics import METRICS
from segmentation.models import (
    CriteriaRow,
    CustomerFacts,
    CustomerScore,
    RunStatus,
    RunTierSummary,
    RunTrigger,
    ScoreRun,
    ScoreStatus,
    Tier,
    TierChange,
    ValueKey,
)
from segmentation.services.dashboard_summaries import (
    dashboard_parameters,
    dashboard_summaries_write,
)
from segmentation.services.defaults import segmentation_defaults_ensure

logger = logging.getLogger(__name__)

# First key of the two-key advisory lock: "segmentation recompute"; the second is the tenant id.
RECOMPUTE_LOCK_CLASS = 4_004
# Enough memory for the one-pass aggregation (hash tables of ~1,000,000 customers) and the
# window sorts without spilling to disk; for this transaction only.
WORK_MEM = "512MB"
BEGINNING_OF_TIME = datetime(1900, 1, 1, tzinfo=UTC)
# Revenue growth needs a window; an all-time growth key compares the last year with the one before.
GROWTH_DEFAULT_DAYS = 365
# The tables the recompute reads in full for the tenant: their statistics are refreshed first
# when stale (the rule in segmentation/sql/__init__.py). The tables it writes (scores, facts)
# change by more than 10 % on most runs; analyzing them every time would cost more than the
# hash joins the planner settings already guarantee.
INPUT_MODELS = (Customer, Transaction, Feedback, Interaction)
# The tables the lists and the customer page read that the recompute fills: analyzed after a
# first run only. Tier history too: with no statistics the customer page's "last 20 changes"
# ANDed the whole tenant's bitmap with the customer's (20 ms a page at a million customers).
# The criteria rows too (filled by the customers' triggers, then by this run's facts): the live
# count's choice between the tier index and a scan depends on them.
OUTPUT_MODELS = (CustomerScore, CustomerFacts, TierChange, CriteriaRow)


class RecomputeError(Exception):
    """A recompute could not run (e.g. the run was already claimed)."""


@dataclass(frozen=True)
class _Plan:
    keys: list[sql.KeySpec]
    tiers: list[Tier]
    tier_mode: str  # "share" or "threshold"
    activity_since: datetime


def _active_keys(*, tenant: Tenant) -> list[ValueKey]:
    return list(
        ValueKey.objects.with_scopes_disabled()
        .filter(tenant=tenant, is_active=True)
        .order_by("order", "id")
    )


def _plan(*, tenant: Tenant, now: datetime) -> tuple[_Plan, list[dict[str, Any]]]:
    keys = [key for key in _active_keys(tenant=tenant) if key.metric in METRICS]
    specs = [
        sql.KeySpec(
            position=position,
            metric=METRICS[key.metric],
            weight=key.weight,
            normalisation=key.normalisation,
            window_days=key.window_days,
        )
        for position, key in enumerate(keys, start=1)
    ]
    snapshot = [
        {
            "value_key": key.pk,
            "metric": key.metric,
            "weight": str(key.weight),
            "window_days": key.window_days,
            "normalisation": key.normalisation,
            "direction": METRICS[key.metric].direction,
        }
        for key in keys
    ]
    tiers = list(Tier.objects.with_scopes_disabled().filter(tenant=tenant).order_by("position"))
    tier_mode = "share" if all(tier.min_score is None for tier in tiers) else "threshold"
    windows = [spec.window_days for spec in specs if spec.metric.uses_window and spec.window_days]
    activity_since = now - timedelta(days=max(windows)) if windows else BEGINNING_OF_TIME
    return _Plan(specs, tiers, tier_mode, activity_since), snapshot


def _parameters(*, tenant: Tenant, run: ScoreRun, plan: _Plan, now: datetime) -> dict[str, Any]:
    params: dict[str, Any] = {
        "tenant": tenant.pk,
        "run": run.pk,
        "now": now,
        "today": now.astimezone(tenant.zone).date(),
        "timezone": tenant.timezone,
        "activity_since": plan.activity_since,
        "total": float(sum((abs(spec.weight) for spec in plan.keys), Decimal(0))) or 1.0,
    }
    for spec in plan.keys:
        k = spec.position
        days = spec.window_days
        if days is None and spec.metric.key == "revenue_growth":
            days = GROWTH_DEFAULT_DAYS
        since = now - timedelta(days=days) if days else BEGINNING_OF_TIME
        params[f"since_{k}"] = since
        params[f"previous_since_{k}"] = since - timedelta(days=days) if days else since
        params[f"weight_{k}"] = float(spec.weight)
    cumulative = Decimal(0)
    for index, tier in enumerate(plan.tiers):
        cumulative += tier.share_percent or Decimal(0)
        params[f"tier_id_{index}"] = tier.pk
        params[f"tier_cumulative_{index}"] = cumulative
        params[f"tier_threshold_{index}"] = tier.min_score if tier.min_score is not None else 0
    # The dashboard step's windows: step 1's scan sums them too (services/dashboard_summaries.py).
    params.update(dashboard_parameters(tenant=tenant, params=params))
    return params


class _Steps:
    """Runs the statements and records the wall time of each (ScoreRun.seconds, the bench)."""

    def __init__(self, params: dict[str, Any], plans: dict[str, str] | None = None) -> None:
        self.params = params
        self.seconds: dict[str, float] = {}
        self.rows: dict[str, int] = {}
        self.plans = plans  # the bench asks for EXPLAIN (ANALYZE, BUFFERS) of every step

    @contextmanager
    def timed(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        yield
        self.seconds[name] = round(self.seconds.get(name, 0) + time.perf_counter() - started, 3)

    def run(self, name: str, statement: str) -> int:
        with self.timed(name), connection.cursor() as cursor:
            if self.plans is not None and statement.lstrip().startswith(
                ("CREATE", "INSERT", "UPDATE", "DELETE", "--")
            ):
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, self.params)
                self.plans[name] = "\n".join(row[0] for row in cursor.fetchall())
                rows = [line for line in self.plans[name].splitlines() if "rows=" in line]
                self.rows[name] = int(rows[0].split("rows=")[-1].split()[0]) if rows else 0
                return self.rows[name]
            cursor.execute(statement, self.params)
            self.rows[name] = cursor.rowcount
            return cursor.rowcount


def _lock_try(*, tenant: Tenant) -> bool:
    """Take the tenant's recompute lock for this database session. A session lock (not a
    transaction one) because it also says the run is alive: it is held from before the run is
    claimed until after its outcome is saved, and PostgreSQL frees it the moment the worker's
    connection dies (SIGKILL, OOM, a lost machine), see services/runs.py."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_try_advisory_lock(%s, %s::int)", [RECOMPUTE_LOCK_CLASS, tenant.pk]
        )
        return bool(cursor.fetchone()[0])


def _lock_release(*, tenant: Tenant) -> None:
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_unlock(%s, %s::int)", [RECOMPUTE_LOCK_CLASS, tenant.pk]
            )
    except DatabaseError:
        # The connection is gone, and the lock with it.
        logger.warning("Recompute lock of tenant %s released with its lost connection", tenant.pk)


def _compute(
    *, tenant: Tenant, run: ScoreRun, now: datetime, plans: dict[str, str] | None
) -> _Steps:
    """All the statements of one recompute; runs inside the caller's transaction."""
    plan, snapshot = _plan(tenant=tenant, now=now)
    steps = _Steps(_parameters(tenant=tenant, run=run, plan=plan, now=now), plans)
    _planner_settings()
    _criteria_row_triggers_set(enabled=False)
    category_bits = steps.params["category_ids"] is not None
    steps.run("raw values", sql.raw_values_sql(plan.keys, category_bits=category_bits))
    # Statistics on the staging tables, so the joins over 1,000,000 rows are hash joins
    # (without them the planner guesses ~3,000 rows and sorts for merge joins).
    steps.run("analyze", "ANALYZE seg_raw")
    steps.run("normalise and score", sql.scored_sql(plan.keys))
    steps.run("analyze", "ANALYZE seg_scored")
    tier_case = sql.tier_case_sql(tier_ids=[t.pk for t in plan.tiers], mode=plan.tier_mode)
    steps.run("rank and tier", sql.final_sql(tier_case=tier_case))
    steps.run("tier history", sql.statement("write_history"))
    steps.run("scores: update changed", sql.scores_update_sql(plan.keys))
    steps.run("scores: insert new", sql.scores_insert_sql(plan.keys))
    steps.run("scores: delete archived", sql.statement("write_scores_delete"))
    steps.run("tier summaries", sql.statement("write_tier_summaries"))
    steps.run("transition summaries", sql.statement("write_transition_summaries"))
    # The dashboard's facts and summaries (services/dashboard_summaries.py), same transaction.
    dashboard_summaries_write(tenant=tenant, run=run, steps=steps)
    # ON COMMIT DROP does not fire when the caller's transaction goes on (a test, a command
    # wrapping several tenants): drop the staging tables now, and give the criteria rows back to
    # their triggers.
    steps.run("drop staging", "DROP TABLE seg_raw, seg_scored, seg_final")
    _criteria_row_triggers_set(enabled=True)
    # A first run fills the scores and facts: statistics for the lists that read them (later
    # runs change values, not their spread; autovacuum keeps them).
    with steps.timed("analyze outputs (first run)"):
        analyzed = statistics_missing_refresh(
            tables=[model._meta.db_table for model in OUTPUT_MODELS]
        )
    if not analyzed:
        del steps.seconds["analyze outputs (first run)"]

    counts: dict[str, int] = {}
    scored = 0
    for summary in RunTierSummary.objects.with_scopes_disabled().filter(tenant=tenant, run=run):
        key = str(summary.tier_id) if summary.tier_id is not None else summary.status
        counts[key] = counts.get(key, 0) + summary.customers
        if summary.status == ScoreStatus.ACTIVE:
            scored += summary.customers
    run.weights = snapshot
    run.tier_counts = counts
    run.customers_scored = scored
    run.customers_total = steps.rows["rank and tier"]
    run.tier_changes = steps.rows["tier history"]
    return steps


def _planner_settings() -> None:
    """The recompute's transaction-local settings (see segmentation/sql/__init__.py)."""
    whole_tenant_planning_set()
    with connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL work_mem = '{WORK_MEM}'")
        # Every join here is on customer_id over up to 1,000,000 rows: hash joins. A merge join
        # would re-sort each rank result by customer_id (measured ~1.5 s per key).
        cursor.execute("SET LOCAL enable_mergejoin = off")
        # One core for the night's batch, the other for the people at work: with parallel
        # workers the run took both cores and the web's p95 under 20 users went from 690 ms to
        # 1,400 ms, for a run only 3 % faster (1M customers, bench_load.py --with-recompute).
        cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        cursor.execute(
            "SELECT set_config('statement_timeout', %s, true)",
            [f"{settings.CRM_RECOMPUTE_STATEMENT_TIMEOUT}s"],
        )
        # A worker killed mid-statement: without this the server finishes the statement (and
        # keeps the tenant's lock) before it notices nobody is listening (PostgreSQL 14+).
        cursor.execute("SET LOCAL client_connection_check_interval = '1s'")


def _criteria_row_triggers_set(*, enabled: bool) -> None:
    """The facts' and scores' triggers that keep the segment criteria rows (migration 0013)
    stand aside while the recompute writes those rows itself; transaction-local, and undone
    with the run's savepoint if it fails."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('segmentation.recompute', %s, true)", ["off" if enabled else "on"]
        )


def _criteria_rows_vacuum(*, run: ScoreRun) -> None:
    """VACUUM the segment criteria rows after the run's commit (not possible inside it), timed
    with the run: it rewrote up to a third of them (new facts, score bands), and the live count
    scans them; without autovacuum (this server) the dead versions would pile up run after run
    (213 MB → 274 MB after two runs at a million customers). Inside a caller's transaction (a
    test, a command wrapping tenants) it is left to autovacuum.

    Only the tenant and tier columns are analyzed again (VACUUM itself updates the row and page
    counts): their statistics choose between the tier index and a scan for a live count, while
    the other columns' spread barely moves between runs (they were analyzed after the first).
    A whole ANALYZE cost 7 times the VACUUM (1.5 s against 0.2 s at 100,000 customers), most of
    it sorting the text samples and the tag and category arrays."""
    if connection.in_atomic_block:
        return
    started = time.perf_counter()
    with owner_mode(), connection.cursor() as cursor:
        cursor.execute(f"VACUUM (ANALYZE) {CriteriaRow._meta.db_table} (tenant_id, tier_id)")
    run.seconds["dashboard: vacuum criteria rows (after commit)"] = round(
        time.perf_counter() - started, 3
    )
    run.save(update_fields=["seconds"])


def _input_statistics_refresh() -> dict[str, float]:
    return stale_statistics_refresh(tables=[model._meta.db_table for model in INPUT_MODELS])


RAW_VALUES_TABLE = "CREATE TEMP TABLE seg_raw ON COMMIT DROP AS"


def raw_values_plan(*, tenant: Tenant, guarded: bool = True, now: datetime | None = None) -> dict:
    """EXPLAIN (FORMAT JSON) of step 1 (raw values) for the tenant, without running it: as the
    recompute plans it (guarded: stale statistics refreshed, its planner settings), or with
    PostgreSQL's defaults and whatever statistics there are. For tests and diagnosis."""
    now = now or timezone.now()
    if guarded:
        _input_statistics_refresh()
    plan, _snapshot = _plan(tenant=tenant, now=now)
    run = ScoreRun(tenant=tenant, pk=0)
    params = _parameters(tenant=tenant, run=run, plan=plan, now=now)
    with transaction.atomic():
        if guarded:
            _planner_settings()
        with connection.cursor() as cursor:
            statement = sql.raw_values_sql(
                plan.keys, category_bits=params["category_ids"] is not None
            ).replace(RAW_VALUES_TABLE, "", 1)
            cursor.execute("EXPLAIN (FORMAT JSON) " + statement, params)
            (document,) = cursor.fetchone()
        transaction.set_rollback(True)  # the SET LOCALs end here either way
    return (document if isinstance(document, list) else json.loads(document))[0]


def _run_claim(*, tenant: Tenant, run_id: int | None, trigger: str, requested_by) -> ScoreRun:
    """Create a running run, or claim a queued (or failed, on retry) one: 0 rows = taken."""
    now = timezone.now()
    if run_id is None:
        return ScoreRun.objects.with_scopes_disabled().create(
            tenant=tenant,
            trigger=trigger,
            requested_by=requested_by,
            status=RunStatus.RUNNING,
            started_at=now,
        )
    claimed = (
        ScoreRun.objects.with_scopes_disabled()
        .filter(tenant=tenant, pk=run_id, status__in=[RunStatus.QUEUED, RunStatus.FAILED])
        .update(status=RunStatus.RUNNING, started_at=now, error="")
    )
    if not claimed:
        raise RecomputeError(_("This run has already been started."))
    return ScoreRun.objects.with_scopes_disabled().get(tenant=tenant, pk=run_id)


def scores_recompute(
    *,
    tenant: Tenant,
    run_id: int | None = None,
    trigger: str = RunTrigger.COMMAND,
    requested_by=None,
    now: datetime | None = None,
    plans: dict[str, str] | None = None,
    as_of: date | None = None,
    live: bool | None = None,
) -> ScoreRun:
    """Recompute every customer's score and tier of the tenant; return the finished run.

    `as_of` computes the scores as at the end of that day (the tenant's time zone), for an
    archive or a back-test. Such a run keeps nothing unless `live` is True: it is computed in a
    transaction that is rolled back, and the returned (unsaved) run carries its counts — so a
    run for the past never overwrites today's scores unless the company asks for it.

    The run ends "succeeded", "skipped" (another run of the tenant holds the lock) or "failed"
    (with the error; the previous scores are untouched). A transient database error
    (OperationalError) is re-raised after recording it, so a Celery task can retry.
    `plans`, if given, receives EXPLAIN (ANALYZE, BUFFERS) of every step (for the bench).
    """
    if as_of is not None:
        now = datetime.combine(as_of + timedelta(days=1), datetime.min.time(), tzinfo=tenant.zone)
    live = as_of is None if live is None else live
    now = now or timezone.now()
    segmentation_defaults_ensure(tenant=tenant)
    if not _lock_try(tenant=tenant):
        run = _run_claim(tenant=tenant, run_id=run_id, trigger=trigger, requested_by=requested_by)
        run.status = RunStatus.SKIPPED
        run.error = _("Skipped: a recompute of this company is already running.")
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "error", "finished_at"])
        return run
    try:
        if not live:
            return _past_run(tenant=tenant, now=now, trigger=trigger, requested_by=requested_by)
        run = _run_claim(tenant=tenant, run_id=run_id, trigger=trigger, requested_by=requested_by)
        started = time.perf_counter()
        try:
            # Before the run's transaction, so that ANALYZE's lock on a shared table is not held
            # for the whole recompute.
            analyzed = _input_statistics_refresh()
            with transaction.atomic():
                steps = _compute(tenant=tenant, run=run, now=now, plans=plans)
                run.status = RunStatus.SUCCEEDED
                run.seconds = {
                    **analyzed,
                    **steps.seconds,
                    "total": round(time.perf_counter() - started, 3),
                }
                run.finished_at = timezone.now()
                run.save()
            _criteria_rows_vacuum(run=run)
        except DatabaseError as exc:
            _run_fail(run=run, error=exc)
            # A transient error (connection lost, deadlock) is worth a retry; a statement
            # stopped by the timeout or by an operator would only be stopped again.
            if isinstance(exc, OperationalError) and not _cancelled(exc):
                raise
        return run
    finally:
        _lock_release(tenant=tenant)


def _past_run(*, tenant: Tenant, now: datetime, trigger: str, requested_by) -> ScoreRun:
    """A run for a past date that keeps nothing: computed, then rolled back (see above)."""
    started = time.perf_counter()
    with transaction.atomic():
        run = _run_claim(tenant=tenant, run_id=None, trigger=trigger, requested_by=requested_by)
        steps = _compute(tenant=tenant, run=run, now=now, plans=None)
        run.status = RunStatus.SUCCEEDED
        run.seconds = {**steps.seconds, "total": round(time.perf_counter() - started, 3)}
        run.finished_at = timezone.now()
        transaction.set_rollback(True)
    return run


def _cancelled(error: Exception) -> bool:
    return isinstance(error.__cause__, database_errors.QueryCanceled)


def run_error_text(error: Exception) -> str:
    """The one line a user reads for a failed run (the page, the command)."""
    if _cancelled(error) and "statement timeout" in str(error):
        seconds = settings.CRM_RECOMPUTE_STATEMENT_TIMEOUT
        if seconds % 60:
            limit = ngettext("%(count)d second", "%(count)d seconds", seconds)
        else:
            limit = ngettext("%(count)d minute", "%(count)d minutes", seconds // 60)
        limit %= {"count": seconds if seconds % 60 else seconds // 60}
        return _(
            "Stopped: a step ran longer than the limit of %(limit)s "
            "(CRM_RECOMPUTE_STATEMENT_TIMEOUT). The previous scores are kept."
        ) % {"limit": limit}
    if _cancelled(error):
        return _("Stopped: the database cancelled the calculation. The previous scores are kept.")
    first_line = next((line for line in str(error).splitlines() if line.strip()), "")
    return first_line or error.__class__.__name__


def _run_fail(*, run: ScoreRun, error: Exception) -> None:
    logger.warning("Score recompute %s of tenant %s failed: %s", run.pk, run.tenant_id, error)
    ScoreRun.objects.with_scopes_disabled().filter(tenant_id=run.tenant_id, pk=run.pk).update(
        status=RunStatus.FAILED, error=run_error_text(error)[:2000], finished_at=timezone.now()
    )
    run.refresh_from_db()
