"""The nightly fan-out (tenants picked by their own 02:00), the recompute task, the management
command, and the defaults a new tenant starts with."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.core.management import CommandError, call_command
from django_scopes import scopes_disabled

from crm.services import tenant_create
from segmentation.models import CustomerScore, RunStatus, RunTrigger, ScoreRun, Tier, ValueKey
from segmentation.services import nightly_recomputes_schedule, scores_recompute
from segmentation.tasks import recompute_scores
from tests.factories import TenantFactory
from tests.segmentation.factories import buy, customer

pytestmark = pytest.mark.django_db

# 23:30 UTC on 14 June: 02:30 on the 15th in Istanbul (UTC+3), 19:30 on the 14th in New York.
LATE_EVENING_UTC = datetime(2026, 6, 14, 23, 30, tzinfo=UTC)


@pytest.fixture
def istanbul_and_new_york(db):
    istanbul = TenantFactory(slug="istanbul", timezone="Europe/Istanbul")
    new_york = TenantFactory(slug="new-york", timezone="America/New_York")
    return istanbul, new_york


def test_nightly_fan_out_picks_tenants_whose_local_time_is_2_am(
    istanbul_and_new_york, django_capture_on_commit_callbacks
):
    istanbul, _new_york = istanbul_and_new_york

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        queued = nightly_recomputes_schedule(now=LATE_EVENING_UTC)

    assert [(run.tenant, run.local_date, run.trigger) for run in queued] == [
        (istanbul, date(2026, 6, 15), RunTrigger.NIGHTLY)
    ]
    assert len(callbacks) == 1


def test_nightly_fan_out_queues_one_run_per_tenant_and_local_date(
    istanbul_and_new_york, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        nightly_recomputes_schedule(now=LATE_EVENING_UTC)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        again = nightly_recomputes_schedule(now=LATE_EVENING_UTC.replace(minute=45))

    assert again == []
    assert callbacks == []


def test_nightly_fan_out_skips_inactive_tenants(django_capture_on_commit_callbacks, db):
    TenantFactory(slug="closed", timezone="Europe/Istanbul", is_active=False)

    with django_capture_on_commit_callbacks(execute=False):
        assert nightly_recomputes_schedule(now=LATE_EVENING_UTC) == []


def test_new_york_is_picked_at_its_own_2_am(
    istanbul_and_new_york, django_capture_on_commit_callbacks
):
    _, new_york = istanbul_and_new_york
    # 06:15 UTC on 15 June = 02:15 EDT (UTC−4) in New York, 09:15 in Istanbul.
    with django_capture_on_commit_callbacks(execute=False):
        queued = nightly_recomputes_schedule(now=datetime(2026, 6, 15, 6, 15, tzinfo=UTC))

    assert [(run.tenant, run.local_date) for run in queued] == [(new_york, date(2026, 6, 15))]


def test_recompute_task_carries_out_the_queued_run(tenant):
    buy(customer(tenant), 100)
    with scopes_disabled():
        run = ScoreRun.objects.create(tenant=tenant, trigger=RunTrigger.MANUAL)

    status = recompute_scores.apply(args=[tenant.pk, run.pk]).get()

    run.refresh_from_db()
    assert status == run.status == RunStatus.SUCCEEDED
    with scopes_disabled():
        assert CustomerScore.objects.filter(tenant=tenant).count() == 1


def test_a_run_already_taken_is_not_carried_out_twice(tenant):
    with scopes_disabled():
        run = ScoreRun.objects.create(
            tenant=tenant, trigger=RunTrigger.MANUAL, status=RunStatus.SUCCEEDED
        )

    with pytest.raises(Exception, match="already been started"):
        scores_recompute(tenant=tenant, run_id=run.pk)


def test_recompute_task_retries_on_operational_errors():
    assert recompute_scores.autoretry_for
    assert recompute_scores.retry_backoff


def test_command_recomputes_one_tenant(tenant, capsys):
    buy(customer(tenant), 100)

    call_command("recompute_scores", "--tenant", tenant.slug)

    assert "anadolu" in capsys.readouterr().out
    with scopes_disabled():
        run = ScoreRun.objects.get(tenant=tenant)
    assert (run.trigger, run.status, run.customers_scored) == (
        RunTrigger.COMMAND,
        RunStatus.SUCCEEDED,
        1,
    )


def test_command_recomputes_every_active_tenant(tenant, other_tenant):
    call_command("recompute_scores", "--all")

    with scopes_disabled():
        assert ScoreRun.objects.filter(status=RunStatus.SUCCEEDED).count() == 2


def test_command_refuses_an_unknown_tenant(db):
    with pytest.raises(CommandError):
        call_command("recompute_scores", "--tenant", "yok")


def test_a_new_tenant_starts_with_the_default_keys_and_pyramid(db):
    tenant = tenant_create(name="Yeni Şirket", slug="yeni")

    with scopes_disabled():
        tiers = list(Tier.objects.filter(tenant=tenant).order_by("position"))
        active_keys = ValueKey.objects.filter(tenant=tenant, is_active=True).count()
    assert [(t.name_tr, t.share_percent) for t in tiers] == [
        ("Platin", 1),
        ("Altın", 4),
        ("Gümüş", 15),
        ("Bronz", 80),
    ]
    assert active_keys == 8


def test_tier_names_follow_the_active_language(db):
    from django.utils import translation

    tenant = tenant_create(name="Dil Şirketi", slug="dil")
    with scopes_disabled():
        platinum = Tier.objects.get(tenant=tenant, position=1)
    with translation.override("en"):
        assert platinum.name == "Platinum"
    with translation.override("tr"):
        assert platinum.name == "Platin"


def test_demo_data_is_scored_after_the_customers_are_loaded(tenant):
    from django_scopes import scope

    from crm.demo import demo_loaders, run_demo_loaders

    orders = {loader.key: loader.order for loader in demo_loaders()}
    assert orders["scores"] == 50 > orders["customers"]

    with scope(tenant=tenant):
        lines = run_demo_loaders(tenant=tenant, size="small")

    assert any("Scores:" in line or "Puanlar" in line for line in lines)
    with scopes_disabled():
        run = ScoreRun.objects.get(tenant=tenant)
        assert run.status == RunStatus.SUCCEEDED
        assert CustomerScore.objects.filter(tenant=tenant).count() > 0


def test_a_run_delivered_twice_is_carried_out_once(tenant):
    with scopes_disabled():
        run = ScoreRun.objects.create(tenant=tenant, trigger=RunTrigger.MANUAL)

    first = recompute_scores.apply(args=[tenant.pk, run.pk]).get()
    second = recompute_scores.apply(args=[tenant.pk, run.pk]).get()

    assert (first, second) == (RunStatus.SUCCEEDED, "taken")
