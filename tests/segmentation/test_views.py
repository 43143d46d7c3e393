"""The pyramid page, the run status partial, "recalculate now", pinning from the customer page,
the home section and the customer panel: who may, what they see, what it changes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from crm.models import AuditEntry
from segmentation.models import (
    CustomerScore,
    RunStatus,
    RunTrigger,
    ScoreRun,
    TierChange,
    TierChangeReason,
    TierPin,
)
from segmentation.services import scores_recompute
from tests.segmentation.factories import buy, customer, use_keys, use_tiers

pytestmark = pytest.mark.django_db


def url(name: str, tenant, **kwargs) -> str:
    return reverse(f"segmentation:{name}", kwargs={"tenant_slug": tenant.slug, **kwargs})


@pytest.fixture
def eager_celery(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True


@pytest.fixture
def scored(tenant):
    """Two customers scored: `low` in the base, `high` at the peak."""
    use_keys(tenant, ("revenue", 1, "min_max"))
    top, base = use_tiers(tenant, 50, 50)
    low, high = customer(tenant), customer(tenant)
    buy(low, 100)
    buy(high, 300)
    scores_recompute(tenant=tenant, now=timezone.now())
    return {"top": top, "base": base, "low": low, "high": high}


# --- pyramid and status ---


def test_pyramid_shows_customers_per_tier_from_the_last_run(manager_client, tenant, scored):
    response = manager_client.get(url("pyramid", tenant))

    assert response.status_code == 200
    levels = {
        level.label: level.customers
        for level in response.context["dashboard_levels"]
        if level.customers
    }
    # The members' test clients read English, so the tiers show their English names.
    assert levels == {"Level 1": 1, "Level 2": 1}
    assert "Recalculate now" in response.content.decode()


def test_pyramid_is_403_for_sales(sales_client, tenant):
    assert sales_client.get(url("pyramid", tenant)).status_code == 403


def test_pyramid_of_another_tenant_is_404(other_tenant_client, tenant):
    assert other_tenant_client.get(url("pyramid", tenant)).status_code == 404


def test_run_status_partial_polls_while_a_run_is_queued(manager_client, tenant):
    with scopes_disabled():
        ScoreRun.objects.create(tenant=tenant, trigger=RunTrigger.MANUAL)

    response = manager_client.get(url("run_status", tenant))

    assert response.status_code == 200
    assert 'hx-trigger="every 2s"' in response.content.decode()


def test_run_status_shows_a_failed_runs_error(manager_client, tenant):
    with scopes_disabled():
        ScoreRun.objects.create(
            tenant=tenant,
            trigger=RunTrigger.NIGHTLY,
            local_date=timezone.now().date(),
            status=RunStatus.FAILED,
            error="division by zero",
            finished_at=timezone.now(),
        )

    body = manager_client.get(url("run_status", tenant)).content.decode()

    assert "division by zero" in body
    assert "every 2s" not in body


def test_run_status_is_403_for_sales(sales_client, tenant):
    assert sales_client.get(url("run_status", tenant)).status_code == 403


def test_run_status_of_another_tenant_is_404(other_tenant_client, tenant):
    assert other_tenant_client.get(url("run_status", tenant)).status_code == 404


# --- recalculate now ---


def test_recalculate_now_queues_a_run_and_the_task_completes_it(
    manager_client, manager_user, tenant, eager_celery, django_capture_on_commit_callbacks
):
    buy(customer(tenant), 100)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = manager_client.post(url("recompute", tenant))

    assert response.status_code == 302
    assert len(callbacks) == 1
    with scopes_disabled():
        run = ScoreRun.objects.get(tenant=tenant)
        assert CustomerScore.objects.filter(tenant=tenant).count() == 1
    assert (run.trigger, run.requested_by, run.status) == (
        RunTrigger.MANUAL,
        manager_user,
        RunStatus.SUCCEEDED,
    )


def test_recalculate_now_does_not_queue_a_second_run_while_one_is_pending(
    admin_client_, tenant, django_capture_on_commit_callbacks
):
    with scopes_disabled():
        ScoreRun.objects.create(tenant=tenant, trigger=RunTrigger.MANUAL)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        admin_client_.post(url("recompute", tenant))

    assert callbacks == []
    with scopes_disabled():
        assert ScoreRun.objects.filter(tenant=tenant).count() == 1


def test_recalculate_now_by_htmx_answers_with_the_status_partial(
    manager_client, tenant, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        response = manager_client.post(url("recompute", tenant), HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert response.templates[0].name == "segmentation/_run_status.html"


def test_recalculate_now_is_403_for_sales(sales_client, tenant):
    assert sales_client.post(url("recompute", tenant)).status_code == 403


def test_recalculate_now_for_another_tenant_is_404(other_tenant_client, tenant):
    assert other_tenant_client.post(url("recompute", tenant)).status_code == 404


# --- pins ---


def test_manager_pins_a_tier_with_history_and_audit(manager_client, manager_user, tenant, scored):
    low, top, base = scored["low"], scored["top"], scored["base"]
    until = (timezone.now() + timedelta(days=30)).date()

    response = manager_client.post(
        url("pin", tenant, customer_id=low.pk),
        {"tier": top.pk, "reason": "Stratejik ortak", "until": until.isoformat()},
    )

    assert response.status_code == 302
    with scopes_disabled():
        pin = TierPin.objects.get(customer=low, is_active=True)
        score = CustomerScore.objects.get(customer=low)
        change = TierChange.objects.filter(customer=low).latest("changed_at")
        audit = AuditEntry.objects.get(tenant=tenant, action="segmentation.tier.pinned")
    assert (pin.tier, pin.until, pin.pinned_by) == (top, until, manager_user)
    assert (score.tier, score.computed_tier, score.is_pinned) == (top, base, True)
    assert (change.from_tier, change.to_tier, change.reason) == (base, top, TierChangeReason.PINNED)
    assert (change.changed_by, change.note) == (manager_user, "Stratejik ortak")
    assert audit.data["reason"] == "Stratejik ortak"


def test_the_next_recompute_keeps_the_pin_without_a_new_history_row(manager_client, tenant, scored):
    low, top = scored["low"], scored["top"]
    manager_client.post(url("pin", tenant, customer_id=low.pk), {"tier": top.pk, "reason": "VIP"})
    with scopes_disabled():
        before = TierChange.objects.filter(customer=low).count()

    scores_recompute(tenant=tenant, now=timezone.now())

    with scopes_disabled():
        assert CustomerScore.objects.get(customer=low).tier == top
        assert TierChange.objects.filter(customer=low).count() == before


def test_a_pin_without_a_reason_is_refused(manager_client, tenant, scored):
    manager_client.post(
        url("pin", tenant, customer_id=scored["low"].pk), {"tier": scored["top"].pk}
    )

    with scopes_disabled():
        assert not TierPin.objects.filter(customer=scored["low"]).exists()


def test_removing_a_pin_returns_the_computed_tier(manager_client, manager_user, tenant, scored):
    low, top, base = scored["low"], scored["top"], scored["base"]
    manager_client.post(url("pin", tenant, customer_id=low.pk), {"tier": top.pk, "reason": "VIP"})

    response = manager_client.post(url("unpin", tenant, customer_id=low.pk))

    assert response.status_code == 302
    with scopes_disabled():
        assert not TierPin.objects.filter(customer=low, is_active=True).exists()
        assert CustomerScore.objects.get(customer=low).tier == base
        change = TierChange.objects.filter(customer=low).latest("changed_at")
        assert AuditEntry.objects.filter(action="segmentation.tier.unpinned").count() == 1
    assert (change.from_tier, change.to_tier, change.reason, change.changed_by) == (
        top,
        base,
        TierChangeReason.UNPINNED,
        manager_user,
    )


def test_pinning_is_403_for_sales(sales_client, tenant, scored):
    response = sales_client.post(
        url("pin", tenant, customer_id=scored["low"].pk), {"tier": scored["top"].pk, "reason": "x"}
    )
    assert response.status_code == 403


def test_unpinning_is_403_for_sales(sales_client, tenant, scored):
    assert sales_client.post(url("unpin", tenant, customer_id=scored["low"].pk)).status_code == 403


def test_pinning_in_another_tenant_is_404(other_tenant_client, tenant, scored):
    response = other_tenant_client.post(
        url("pin", tenant, customer_id=scored["low"].pk), {"tier": scored["top"].pk, "reason": "x"}
    )
    assert response.status_code == 404


def test_pinning_another_tenants_customer_is_404(manager_client, tenant, other_tenant, scored):
    theirs = customer(other_tenant)

    response = manager_client.post(
        url("pin", tenant, customer_id=theirs.pk), {"tier": scored["top"].pk, "reason": "x"}
    )

    assert response.status_code == 404


# --- customer panel and home ---


def test_customer_panel_explains_the_score(sales_client, tenant, scored):
    response = sales_client.get(
        reverse(
            "customers:detail",
            kwargs={"tenant_slug": tenant.slug, "customer_id": scored["high"].pk},
        )
    )

    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="panel-score"' in body
    assert "100,00" in body or "100.00" in body
    assert (
        reverse(
            "segmentation:pin",
            kwargs={"tenant_slug": tenant.slug, "customer_id": scored["high"].pk},
        )
        not in body
    )


def test_customer_panel_offers_the_pin_form_to_managers(manager_client, tenant, scored):
    pin_url = url("pin", tenant, customer_id=scored["high"].pk)

    response = manager_client.get(
        reverse(
            "customers:detail",
            kwargs={"tenant_slug": tenant.slug, "customer_id": scored["high"].pk},
        )
    )

    assert pin_url in response.content.decode()


def test_home_shows_the_pyramid_to_managers_only(manager_client, sales_client, tenant, scored):
    home = reverse("tenant_home", kwargs={"tenant_slug": tenant.slug})
    pyramid_url = url("pyramid", tenant)

    assert pyramid_url in manager_client.get(home).content.decode()
    assert pyramid_url not in sales_client.get(home).content.decode()


def test_a_stale_running_run_does_not_block_recalculation(
    manager_client, tenant, django_capture_on_commit_callbacks
):
    with scopes_disabled():
        stale = ScoreRun.objects.create(
            tenant=tenant, trigger=RunTrigger.MANUAL, status=RunStatus.RUNNING
        )
        ScoreRun.objects.filter(pk=stale.pk).update(created_at=timezone.now() - timedelta(hours=3))

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        manager_client.post(url("recompute", tenant))

    assert len(callbacks) == 1


def test_customer_panel_shows_the_keys_description_and_points(sales_client, tenant, scored):
    with scopes_disabled():
        from segmentation.models import ValueKey

        ValueKey.objects.filter(tenant=tenant).update(description="Son 12 ayın cirosu")

    response = sales_client.get(
        reverse(
            "customers:detail",
            kwargs={"tenant_slug": tenant.slug, "customer_id": scored["low"].pk},
        )
    )

    body = response.content.decode()
    assert "Son 12 ayın cirosu" in body
    lines = response.context["panels"]["main"]
    score_panel = next(panel for panel in lines if panel["key"] == "score")
    assert [line.contribution for line in score_panel["context"]["contributions"]] == [0.0]
