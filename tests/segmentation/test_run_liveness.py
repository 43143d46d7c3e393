"""A worker killed (SIGKILL) in the middle of a recompute: the previous scores stay whole, the
tenant's lock is freed, the dead run is known at once from that lock and marked failed with the
reason, and the next run succeeds. The worker is a real process, killed for real."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection
from django_scopes import scopes_disabled

from segmentation.models import CustomerScore, RunStatus, RunTrigger, ScoreRun, ValueKey
from segmentation.services import dead_runs_fail, score_run_request, scores_recompute
from segmentation.services.runs import recompute_lock_held
from tests.segmentation.factories import buy, customer, use_keys, use_tiers

pytestmark = pytest.mark.django_db(transaction=True)

WORKER = Path(__file__).with_name("recompute_worker.py")


def _database_url() -> str:
    """The test database as a URL for the worker process (TCP host or socket directory)."""
    db = connection.settings_dict
    credentials = quote(db["USER"] or "") + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
    host = db["HOST"] or ""
    if host.startswith("/"):
        return f"postgres://{credentials}@/{db['NAME']}?host={host}"
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{credentials}@{host}{port}/{db['NAME']}"


def _wait_for(condition, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the worker")
        time.sleep(0.1)


def _scores(tenant) -> dict:
    with scopes_disabled():
        return dict(CustomerScore.objects.filter(tenant=tenant).values_list("customer", "score"))


def _run_status(run) -> str:
    with scopes_disabled():
        return ScoreRun.objects.get(pk=run.pk).status


@pytest.fixture
def scored_tenant(tenant, now):
    use_keys(tenant, ("revenue", 1, "min_max"))
    use_tiers(tenant, 100)
    buy(customer(tenant), 100)
    buy(customer(tenant), 200)
    scores_recompute(tenant=tenant, now=now)
    return tenant


def _start_worker(tenant, run, seconds: float) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": _database_url()}
    return subprocess.Popen(
        [sys.executable, str(WORKER), str(tenant.pk), str(run.pk), str(seconds)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def test_killed_worker_frees_the_lock_keeps_the_scores_and_its_run_is_marked_failed(
    scored_tenant, now
):
    tenant = scored_tenant
    before = _scores(tenant)
    with scopes_disabled():
        ValueKey.objects.create(tenant=tenant, metric="slow", weight=1, order=9)
        run = ScoreRun.objects.create(tenant=tenant, trigger=RunTrigger.MANUAL)
    worker = _start_worker(tenant, run, seconds=60)
    try:
        _wait_for(lambda: _run_status(run) == RunStatus.RUNNING)
        _wait_for(lambda: recompute_lock_held(tenant=tenant))
        assert dead_runs_fail(tenant=tenant) == 0  # alive: left alone
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()
    # The server notices the dead client within client_connection_check_interval (1 s).
    _wait_for(lambda: not recompute_lock_held(tenant=tenant), timeout=20)

    assert dead_runs_fail(tenant=tenant) == 1
    with scopes_disabled():
        run.refresh_from_db()
        ValueKey.objects.filter(tenant=tenant, metric="slow").delete()
    assert run.status == RunStatus.FAILED
    assert "worker running this calculation ended" in run.error
    assert _scores(tenant) == before

    again = scores_recompute(tenant=tenant, now=now)
    assert again.status == RunStatus.SUCCEEDED
    assert _scores(tenant) == before


def test_recalculate_now_replaces_a_dead_run_at_once(scored_tenant, sales_user):
    tenant = scored_tenant
    with scopes_disabled():
        dead = ScoreRun.objects.create(
            tenant=tenant, trigger=RunTrigger.MANUAL, status=RunStatus.RUNNING
        )

    queued = score_run_request(tenant=tenant, requested_by=sales_user)

    assert queued.pk != dead.pk
    assert queued.status == RunStatus.QUEUED
    assert _run_status(dead) == RunStatus.FAILED


def test_a_live_run_is_not_replaced(scored_tenant, sales_user):
    tenant = scored_tenant
    with scopes_disabled():
        running = ScoreRun.objects.create(
            tenant=tenant, trigger=RunTrigger.MANUAL, status=RunStatus.RUNNING
        )
    with connection.cursor() as cursor:
        from segmentation.services.recompute import RECOMPUTE_LOCK_CLASS

        cursor.execute("SELECT pg_advisory_lock(%s, %s)", [RECOMPUTE_LOCK_CLASS, tenant.pk])
        try:
            returned = score_run_request(tenant=tenant, requested_by=sales_user)
        finally:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [RECOMPUTE_LOCK_CLASS, tenant.pk])

    assert returned.pk == running.pk
    assert _run_status(running) == RunStatus.RUNNING
