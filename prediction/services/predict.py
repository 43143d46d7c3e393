"""The prediction run: the RFM summary in SQL, the fits on its arrays, and every customer's
prediction written in one statement into a fresh partition that replaces last night's at the
end of the run (migration 0006 says how and why).

One transaction per run, under a per-tenant advisory lock (a second concurrent run is
"skipped"). A run for a past reference date leaves the live predictions alone unless the
company asks (`live=True`); it still records the fitted parameters and counts.
"""

from __future__ import annotations

import logging
import time
from datetime import date

import numpy as np
from django.db import DatabaseError, OperationalError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scope
from psycopg import sql as psycopg_sql

from crm.models import Tenant
from prediction import clv, sql
from prediction.models import (
    PredictionRun,
    PredictionSettings,
    PredictionStatus,
    PredictionTrigger,
)
from prediction.services.summary import summary_create

logger = logging.getLogger(__name__)

PREDICTION_LOCK_CLASS = 4_011

# The live prediction's columns, in the order prediction/sql/prediction_rows.sql gives them.
PREDICTION_COLUMNS = (
    "tenant_id",
    "customer_id",
    "run_id",
    "frequency",
    "recency",
    "age",
    "monetary",
    "p_alive",
    "expected_purchases",
    "propensity",
    "expected_order_value",
    "predicted_value",
)


class PredictionError(Exception):
    """A prediction could not be made as asked (run already taken, date in the future...)."""


def settings_for(*, tenant: Tenant) -> PredictionSettings:
    """The company's prediction settings, created with the defaults on first use."""
    found, _created = PredictionSettings.objects.with_scopes_disabled().get_or_create(tenant=tenant)
    return found


def previous_parameters(*, tenant: Tenant) -> dict[str, float] | None:
    """The parameters of the tenant's last successful fit: where tonight's fit starts."""
    return (
        PredictionRun.objects.with_scopes_disabled()
        .filter(tenant=tenant, status=PredictionStatus.SUCCEEDED)
        .exclude(parameters={})
        .order_by("-finished_at", "-id")
        .values_list("parameters", flat=True)
        .first()
    )


class Fit:
    """The two fitted models of a run, on the compressed summary."""

    def __init__(self, *, min_repeat_buyers: int, start: dict[str, float] | None = None) -> None:
        started = time.perf_counter()
        self.frequency, self.recency, self.age, self.weights = (
            column.astype(float)
            for column in sql.arrays_out(
                "SELECT frequency, recency, age, count(*) FROM pred_summary "
                "GROUP BY frequency, recency, age",
                ("int4", "int4", "int4", "int8"),
            )
        )
        if not len(self.weights):
            raise clv.NotEnoughData("no purchases")
        self.customers = int(self.weights.sum())
        self.repeat_buyers = int(self.weights[self.frequency > 0].sum())
        if self.repeat_buyers < min_repeat_buyers:
            raise clv.NotEnoughData(f"{self.repeat_buyers} repeat buyers")
        start = start or {}
        self.seconds: dict[str, float] = {}
        started = _timed(self.seconds, "fit: summary arrays", started)
        self.model = clv.bgnbd_fit(
            frequency=self.frequency,
            recency=self.recency,
            age=self.age,
            weights=self.weights,
            start=_started(clv.Fitted, start, ("r", "alpha", "a", "b")),
        )
        started = _timed(self.seconds, "fit: BG/NBD", started)
        frequency, monetary = sql.arrays_out(
            "SELECT frequency, monetary::float8 FROM pred_summary "
            "WHERE frequency > 0 AND monetary > 0",
            ("int4", "float8"),
        )
        if not len(frequency):
            raise clv.NotEnoughData("no repeat purchase value")
        self.spend = clv.gamma_gamma_fit(
            frequency=frequency,
            monetary=monetary,
            start=_started(clv.SpendFitted, start, ("p", "q", "v")),
        )
        _timed(self.seconds, "fit: Gamma-Gamma", started)

    def parameters(self) -> dict[str, float]:
        params = clv.fitted(self.model)
        return {
            "r": params.r,
            "alpha": params.alpha,
            "a": params.a,
            "b": params.b,
            "p": self.spend.p,
            "q": self.spend.q,
            "v": self.spend.v,
        }


def _started(kind, start: dict[str, float], names: tuple[str, ...]):
    if not all(isinstance(start.get(name), int | float) for name in names):
        return None
    return kind(*(float(start[name]) for name in names))


def _combos_write(*, fit: Fit, settings: PredictionSettings) -> None:
    """pred_combo: the BG/NBD figures of every distinct (frequency, recency, age)."""
    history = {"frequency": fit.frequency, "recency": fit.recency, "age": fit.age}
    model = fit.model
    columns = [
        ("frequency", "int4", fit.frequency),
        ("recency", "int4", fit.recency),
        ("age", "int4", fit.age),
        (
            "p_alive",
            "float8",
            np.clip(model.conditional_probability_alive(*history.values()), 0.0, 1.0),
        ),
        (
            "expected_purchases",
            "float8",
            clv.expected_purchases(
                model, days=settings.horizon_months * clv.DAYS_PER_MONTH, **history
            ),
        ),
        ("propensity", "float8", clv.propensity(model, days=settings.propensity_days, **history)),
        (
            "discounted_purchases",
            "float8",
            clv.discounted_purchases(
                model,
                months=settings.horizon_months,
                monthly_rate=float(settings.monthly_discount_rate),
                **history,
            ),
        ),
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE pred_combo (frequency int, recency int, age int, p_alive float8, "
            "expected_purchases float8, propensity float8, discounted_purchases float8) "
            "ON COMMIT DROP"
        )
    sql.arrays_in("pred_combo", columns)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE pred_combo")


def _live_publish(
    *, tenant: Tenant, run: PredictionRun, fit: Fit | None, seconds: dict[str, float]
) -> int:
    """Make this run's predictions the tenant's live ones (none when there is no fit).

    The rows go into a fresh leaf of the partitioned table, which gets its indexes in bulk
    and replaces last night's in one swap at the end of the run's transaction (migration
    0006): readers see the whole old set until the run commits, the whole new set after.
    The database functions act only for the connection's tenant, hence the scope.
    """
    with scope(tenant=tenant), connection.cursor() as cursor:
        started = time.perf_counter()
        if fit is None:
            cursor.execute("SELECT prediction_live_publish(%s, NULL)", [tenant.pk])
            _timed(seconds, "write: publish", started)
            return 0
        cursor.execute("SELECT prediction_live_stage(%s, %s)", [tenant.pk, run.pk])
        (leaf,) = cursor.fetchone()
        # Into a table without indexes, rows are only appended; the indexes come in bulk in
        # prediction_live_publish. (Binary COPY out to Python and back in measured the same
        # under load: its in-half is fast, but the rows come out one at a time.)
        cursor.execute(
            psycopg_sql.SQL("INSERT INTO {leaf} ({columns})\n{rows}")
            .format(
                leaf=psycopg_sql.Identifier(leaf),
                columns=psycopg_sql.SQL(", ").join(map(psycopg_sql.Identifier, PREDICTION_COLUMNS)),
                rows=psycopg_sql.SQL(sql.statement("prediction_rows")),
            )
            .as_string(connection.connection),
            {
                "tenant": tenant.pk,
                "run": run.pk,
                "gg_p": fit.spend.p,
                "gg_q": fit.spend.q,
                "gg_v": fit.spend.v,
            },
        )
        written = cursor.rowcount
        started = _timed(seconds, "write: rows", started)
        cursor.execute("SELECT prediction_live_publish(%s, %s)", [tenant.pk, run.pk])
        _timed(seconds, "write: indexes and swap", started)
        return written


def _run_claim(
    *, tenant: Tenant, run_id: int | None, as_of: date, live: bool, trigger: str, requested_by
) -> PredictionRun:
    runs = PredictionRun.objects.with_scopes_disabled()
    if run_id is None:
        return runs.create(
            tenant=tenant,
            trigger=trigger,
            requested_by=requested_by,
            as_of=as_of,
            is_live=live,
            status=PredictionStatus.RUNNING,
            started_at=timezone.now(),
        )
    claimed = runs.filter(
        tenant=tenant, pk=run_id, status__in=[PredictionStatus.QUEUED, PredictionStatus.FAILED]
    ).update(status=PredictionStatus.RUNNING, started_at=timezone.now(), error="")
    if not claimed:
        raise PredictionError(_("This prediction run has already been started."))
    return runs.get(tenant=tenant, pk=run_id)


def _try_lock(*, tenant: Tenant) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_try_advisory_xact_lock(%s, %s::int)", [PREDICTION_LOCK_CLASS, tenant.pk]
        )
        return bool(cursor.fetchone()[0])


def _timed(seconds: dict[str, float], name: str, started: float) -> float:
    now = time.perf_counter()
    seconds[name] = round(now - started, 3)
    return now


def predictions_run(
    *,
    tenant: Tenant,
    as_of: date | None = None,
    live: bool | None = None,
    run_id: int | None = None,
    trigger: str = PredictionTrigger.COMMAND,
    requested_by=None,
) -> PredictionRun:
    """Fit the models on the tenant's purchases up to `as_of` (today by default) and, for a
    live run, write every buying customer's prediction.

    `live` defaults to True for today and False for a past date: a past run never replaces
    today's live predictions unless asked. A tenant with too few repeat buyers, or whose fit
    does not converge, ends "not enough data" and has no live predictions.
    """
    today = timezone.now().astimezone(tenant.zone).date()
    if run_id is not None:
        queued = PredictionRun.objects.with_scopes_disabled().get(tenant=tenant, pk=run_id)
        as_of, live = queued.as_of, queued.is_live
    as_of = as_of or today
    if as_of > today:
        raise PredictionError(_("The reference date cannot be in the future."))
    live = (as_of == today) if live is None else live
    settings = settings_for(tenant=tenant)
    run = _run_claim(
        tenant=tenant,
        run_id=run_id,
        as_of=as_of,
        live=live,
        trigger=trigger,
        requested_by=requested_by,
    )
    started = time.perf_counter()
    seconds: dict[str, float] = {}
    try:
        with transaction.atomic():
            if not _try_lock(tenant=tenant):
                run.status = PredictionStatus.SKIPPED
                run.error = _("Skipped: a prediction run of this company is already running.")
            else:
                _compute(tenant=tenant, run=run, settings=settings, seconds=seconds)
            seconds["total"] = round(time.perf_counter() - started, 3)
            run.seconds = seconds
            run.finished_at = timezone.now()
            run.save()
    except DatabaseError as exc:
        logger.warning("Prediction run %s of tenant %s failed: %s", run.pk, tenant.pk, exc)
        PredictionRun.objects.with_scopes_disabled().filter(pk=run.pk).update(
            status=PredictionStatus.FAILED, error=str(exc)[:2000], finished_at=timezone.now()
        )
        run.refresh_from_db()
        if isinstance(exc, OperationalError):
            raise
    return run


def _compute(
    *, tenant: Tenant, run: PredictionRun, settings: PredictionSettings, seconds: dict
) -> None:
    step = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL work_mem = '256MB'")
    summary_create(tenant=tenant, as_of=run.as_of)
    step = _timed(seconds, "summary", step)
    try:
        fit = Fit(
            min_repeat_buyers=settings.min_repeat_buyers,
            start=previous_parameters(tenant=tenant),
        )
    except clv.NotEnoughData as exc:
        step = _timed(seconds, "fit", step)
        run.status = PredictionStatus.NOT_ENOUGH_DATA
        run.error = str(exc)[:2000]
        run.parameters = {}
        if run.is_live:
            _live_publish(tenant=tenant, run=run, fit=None, seconds=seconds)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*), count(*) FILTER (WHERE frequency > 0) FROM pred_summary"
            )
            run.customers, run.repeat_buyers = cursor.fetchone()
    else:
        seconds.update(fit.seconds)
        step = _timed(seconds, "fit", step)
        run.parameters = fit.parameters()
        run.customers, run.repeat_buyers = fit.customers, fit.repeat_buyers
        if run.is_live:
            _combos_write(fit=fit, settings=settings)
            step = _timed(seconds, "predict", step)
            _live_publish(tenant=tenant, run=run, fit=fit, seconds=seconds)
            step = _timed(seconds, "write", step)
        run.status = PredictionStatus.SUCCEEDED
        run.error = ""
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS pred_summary, pred_combo")
