"""Back-tests: fit on the purchases up to a cut-off date, predict the holdout period that
follows, and compare with what the customers did — per number of repeat purchases in the
calibration period and week by week (Fader, Hardie & Lee's standard plots), with the error."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import numpy as np
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.models import Tenant
from crm.tasks import enqueue_on_commit
from prediction import clv, sql
from prediction.models import BackTest, PredictionStatus
from prediction.services.predict import Fit, PredictionError, settings_for
from prediction.services.summary import local_day_end, summary_create

FREQUENCY_GROUPS = 7  # 0, 1, ..., 6 and "7 or more"


@transaction.atomic
def backtest_request(*, tenant: Tenant, requested_by, cutoff: date, holdout_days: int) -> BackTest:
    from prediction.tasks import run_backtest

    test = BackTest.objects.with_scopes_disabled().create(
        tenant=tenant, requested_by=requested_by, cutoff=cutoff, holdout_days=holdout_days
    )
    enqueue_on_commit(run_backtest, tenant.pk, test.pk)
    return test


def _holdout(fit: Fit, *, tenant: Tenant, cutoff: date, days: int) -> dict[str, Any]:
    expected = clv.expected_purchases(
        fit.model, days=days, frequency=fit.frequency, recency=fit.recency, age=fit.age
    )
    params = {
        "tenant": tenant.pk,
        "timezone": tenant.timezone,
        "cutoff": cutoff,
        "until": local_day_end(tenant=tenant, day=cutoff),
        "holdout_until": local_day_end(tenant=tenant, day=cutoff + timedelta(days=days)),
    }
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE pred_backtest (frequency int, recency int, age int, "
            "expected float8) ON COMMIT DROP"
        )
    sql.arrays_in(
        "pred_backtest",
        [
            ("frequency", "int4", fit.frequency),
            ("recency", "int4", fit.recency),
            ("age", "int4", fit.age),
            ("expected", "float8", expected),
        ],
    )
    with connection.cursor() as cursor:
        cursor.execute(sql.statement("backtest_actual"), params)
        cursor.execute(
            "SELECT least(frequency, %s), count(*), avg(expected), avg(actual) "
            "FROM pred_backtest_customers GROUP BY 1 ORDER BY 1",
            [FREQUENCY_GROUPS],
        )
        by_frequency = [
            [int(x), int(n), round(float(p), 4), round(float(a), 4)]
            for x, n, p, a in cursor.fetchall()
        ]
        cursor.execute(
            "SELECT count(*), sum(expected), sum(actual), avg(abs(expected - actual)) "
            "FROM pred_backtest_customers"
        )
        customers, predicted_total, actual_total, mae = cursor.fetchone()
        cursor.execute(sql.statement("backtest_weekly"), params)
        weekly = dict(cursor.fetchall())
    weeks = max(1, -(-days // 7))
    over_time = []
    actual_cumulative = 0
    for week in range(weeks):
        day = min((week + 1) * 7, days)
        predicted = float(
            np.dot(
                fit.weights,
                clv.expected_purchases(
                    fit.model,
                    days=day,
                    frequency=fit.frequency,
                    recency=fit.recency,
                    age=fit.age,
                ),
            )
        )
        actual_cumulative += int(weekly.get(week, 0))
        over_time.append([day, round(predicted, 2), actual_cumulative])
    predicted_total = float(predicted_total or 0)
    actual_total = float(actual_total or 0)
    return {
        "by_frequency": by_frequency,
        "over_time": over_time,
        "customers": int(customers),
        "predicted_total": round(predicted_total, 2),
        "actual_total": round(actual_total, 2),
        "total_error_percent": (
            round(100 * (predicted_total - actual_total) / actual_total, 2)
            if actual_total
            else None
        ),
        "mae": round(float(mae or 0), 4),
    }


def backtest_run(*, tenant: Tenant, backtest_id: int) -> BackTest:
    """Carry out a queued back-test; "not enough data" when the cut-off leaves too little."""
    tests = BackTest.objects.with_scopes_disabled()
    claimed = tests.filter(tenant=tenant, pk=backtest_id, status=PredictionStatus.QUEUED).update(
        status=PredictionStatus.RUNNING
    )
    if not claimed:
        raise PredictionError(_("This back-test has already been started."))
    test = tests.get(pk=backtest_id)
    settings = settings_for(tenant=tenant)
    with transaction.atomic():
        summary_create(tenant=tenant, as_of=test.cutoff)
        try:
            fit = Fit(min_repeat_buyers=settings.min_repeat_buyers)
        except clv.NotEnoughData as exc:
            test.status = PredictionStatus.NOT_ENOUGH_DATA
            test.error = str(exc)[:2000]
        else:
            test.parameters = fit.parameters()
            test.results = _holdout(fit, tenant=tenant, cutoff=test.cutoff, days=test.holdout_days)
            test.status = PredictionStatus.SUCCEEDED
        with connection.cursor() as cursor:
            cursor.execute(
                "DROP TABLE IF EXISTS pred_summary, pred_backtest, pred_backtest_customers"
            )
        test.finished_at = timezone.now()
        test.save()
    return test
