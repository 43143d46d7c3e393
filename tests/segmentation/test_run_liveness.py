"""A worker killed (SIGKILL) in the middle of a recompute: the previous scores stay whole, the
tenant's lock is freed, the dead run is known at once from that lock and marked failed with the
reason, and the next run succeeds. The worker is a real process, killed for real."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest
from django.db import connection
from django_scopes import scopes_disabled

from segmentation.models import CustomerScore, RunStatus, RunTrigger, ScoreRun, ValueKey
from segmentation.services import dead_runs_fail, score_run_request, scores_recompute
from segmentation.services.runs import recompute_lock_held
from tests.process_support import wait_for, worker_start
from tests.segmentation.factories import buy, customer, use_keys, use_tiers

pytestmark = pytest.mark.django_db(transaction=True)

WORKER = Path(__file__).with_name("recompute_worker.py")


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


def test_killed_worker_frees_the_lock_keeps_the_scores_and_its_run_is_marked_failed(
    scored_tenant, now
):
    tenant = scored_tenant
    before = _scores(tenant)
    with scopes_disabled():
        ValueKey.objects.create(tenant=tenant, metric="slow", weight=1, order=9)
        run = ScoreRun.objects.create(tenant=tenant, trigger=RunTrigger.MANUAL)
    worker = worker_start(WORKER, tenant.pk, run.pk, 60)
    try:
        wait_for(lambda: _run_status(run) == RunStatus.RUNNING)
        wait_for(lambda: recompute_lock_held(tenant=tenant))
        assert dead_runs_fail(tenant=tenant) == 0  # alive: left alone
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()
    # The server notices the dead client within client_connection_check_interval (1 s).
    wait_for(lambda: not recompute_lock_held(tenant=tenant))

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
