"""The programme overview: figures computed from the whole ledger in one statement and stored
with their time (nightly, or when a manager asks), read by the page in a few small queries.
Every expected figure is worked out by hand next to it."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from loyalty.models import Member, OverviewFigures, PointsEntry
from loyalty.selectors import programme_overview
from loyalty.services.ledger import points_earn, points_release, points_reverse_transaction
from loyalty.services.nightly import loyalty_nightly_run
from loyalty.services.overview import overview_figures_refresh
from loyalty.services.rewards import reward_redeem
from loyalty.tasks import overview_refresh
from tests.factories import CustomerFactory
from tests.loyalty.factories import RewardFactory, buy, tier_for

pytestmark = pytest.mark.usefixtures("programme")  # 1 point per lira, a point is worth 0.05

OLD = timezone.now() - timedelta(days=62)


def url(name: str, tenant) -> str:
    return reverse(f"loyalty:{name}", kwargs={"tenant_slug": tenant.slug})


def month_of(moment, tenant) -> str:
    return timezone.localtime(moment, tenant.zone).date().replace(day=1).isoformat()


@pytest.fixture
def ledger(tenant, ayse):
    """Ayşe (Platin, ×2) and Mehmet (no tier), every kind of entry:

    Ayşe:   earn 200 (100 TL × 2), released, 50 redeemed, earn 60 (30 TL × 2) pending.
    Mehmet: earn 80, released, refunded (80 taken back), +10 adjusted two months ago.
    """
    tier_for(ayse, name="Platin", position=1, multiplier="2")
    mehmet = CustomerFactory(tenant=tenant, first_name="Mehmet")
    with scope(tenant=tenant):
        refunded = buy(mehmet, 80, days_ago=20)
        points_earn(tenant=tenant, transaction_ids=[buy(ayse, 100, days_ago=20).pk, refunded.pk])
        points_release(tenant=tenant)
        points_earn(tenant=tenant, transaction_ids=[buy(ayse, 30, days_ago=1).pk])
        reward = RewardFactory(tenant=tenant, points_cost=50)
        reward_redeem(
            tenant=tenant, actor=None, customer=ayse, reward_id=reward.pk, request_key="r"
        )
        refunded.status = "refunded"
        refunded.save()
        points_reverse_transaction(tenant=tenant, transaction_id=refunded.pk)
        member = Member.objects.get(customer=mehmet)
        PointsEntry.objects.create(
            tenant=tenant,
            member=member,
            kind="adjust",
            source="user",
            available_delta=10,
            reason="Eski düzeltme",
            idempotency_key="adjust:old",
            created_at=OLD,
        )
        Member.objects.filter(pk=member.pk).update(available=F("available") + 10)
    return {"ayse": ayse, "mehmet": mehmet}


def test_the_figures_add_up_the_whole_ledger_by_tier_and_month(tenant, ledger):
    with scope(tenant=tenant):
        figures = overview_figures_refresh(tenant=tenant)

    # Issued: 200 + 60 (Ayşe) + 80 + 10 (Mehmet) = 350; redeemed 50; reversed 80; outstanding
    # Ayşe 150 available + 60 pending, Mehmet 10 available.
    assert figures.totals == {
        "members": 2,
        "issued": 350,
        "redeemed": 50,
        "expired": 0,
        "reversed": 80,
        "available": 160,
        "pending": 60,
    }
    platin = ledger["ayse"].score.tier_id
    assert sorted(figures.by_tier, key=lambda row: row["tier"] or 0) == [
        {"tier": None, "members": 1, "issued": 90, "redeemed": 0, "expired": 0, "reversed": 80,
         "outstanding": 10},
        {"tier": platin, "members": 1, "issued": 260, "redeemed": 50, "expired": 0,
         "reversed": 0, "outstanding": 210},
    ]  # fmt: skip
    # This month: 200 + 80 + 60 issued, 50 redeemed, 80 reversed; two months ago: 10 issued.
    assert figures.by_month == [
        {"month": month_of(timezone.now(), tenant), "issued": 340, "redeemed": 50,
         "expired": 0, "reversed": 80},
        {"month": month_of(OLD, tenant), "issued": 10, "redeemed": 0, "expired": 0,
         "reversed": 0},
    ]  # fmt: skip


def test_the_overview_reads_the_stored_figures_with_liability_at_todays_point_value(tenant, ledger):
    with scope(tenant=tenant):
        overview_figures_refresh(tenant=tenant)
        overview = programme_overview(tenant=tenant)

    assert (overview.members, overview.issued, overview.redeemed) == (2, 350, 50)
    assert (overview.outstanding_available, overview.outstanding_pending) == (160, 60)
    assert overview.liability == Decimal("11.00")  # 220 points × 0.05
    assert overview.redemption_rate == Decimal("14.3")  # 50 / 350
    assert [(row.label, row.issued) for row in overview.by_tier] == [("Platinum", 260), ("—", 90)]


def test_the_page_costs_the_same_few_queries_whatever_the_ledgers_size(
    manager_client, tenant, ledger, django_assert_max_num_queries
):
    with scope(tenant=tenant):
        overview_figures_refresh(tenant=tenant)
    manager_client.get(url("overview", tenant))  # warm the session and the caches
    with django_assert_max_num_queries(12) as small:
        manager_client.get(url("overview", tenant))
    with scope(tenant=tenant):
        for number in range(30):
            points_earn(tenant=tenant, transaction_ids=[buy(ledger["ayse"], number + 1).pk])

    with django_assert_max_num_queries(len(small.captured_queries)):
        response = manager_client.get(url("overview", tenant))

    # The page shows the stored figures until they are computed again.
    assert response.context["overview"].issued == 350
    assert not any("loyalty_pointsentry" in query["sql"] for query in small.captured_queries)


def test_the_page_says_when_the_figures_are_from_or_that_they_are_not_computed_yet(
    manager_client, tenant, ledger
):
    body = manager_client.get(url("overview", tenant)).content.decode()
    assert "The figures have not been computed yet" in body

    with scope(tenant=tenant):
        overview_figures_refresh(tenant=tenant)
    body = manager_client.get(url("overview", tenant)).content.decode()

    assert "Figures as of" in body
    assert 'data-testid="liability">11.00 TRY<' in body


def test_the_nightly_run_computes_the_figures_after_its_steps(tenant, ledger):
    with scope(tenant=tenant):
        loyalty_nightly_run(tenant=tenant)
        figures = OverviewFigures.objects.get(tenant=tenant)

    assert figures.totals["issued"] == 350
    assert figures.computed_at > timezone.now() - timedelta(minutes=1)


def test_computing_again_replaces_the_figures(tenant, ledger):
    with scope(tenant=tenant):
        first = overview_figures_refresh(tenant=tenant)
        points_earn(tenant=tenant, transaction_ids=[buy(ledger["mehmet"], 5).pk])
        second = overview_figures_refresh(tenant=tenant)

    assert second.pk == first.pk
    assert second.totals["issued"] == 355
    assert OverviewFigures.objects.with_scopes_disabled().filter(tenant=tenant).count() == 1


def test_a_manager_asks_for_the_figures_and_a_task_computes_them(
    manager_client, tenant, ledger, monkeypatch, django_capture_on_commit_callbacks
):
    sent = []
    monkeypatch.setattr(overview_refresh, "apply_async", lambda args, kwargs: sent.append(args))

    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(url("overview_refresh", tenant), follow=True)

    assert "The figures are being computed again" in response.content.decode()
    assert sent == [(tenant.pk,)]
    assert overview_refresh(tenant.pk) >= 0  # what the worker runs
    with scopes_disabled():
        assert OverviewFigures.objects.get(tenant=tenant).totals["issued"] == 350


def test_asking_for_the_figures_is_for_managers_of_the_tenant_by_post_only(
    sales_client, manager_client, other_tenant_client, outsider_client, tenant
):
    target = url("overview_refresh", tenant)

    assert sales_client.post(target).status_code == 403
    assert other_tenant_client.post(target).status_code == 404
    assert outsider_client.post(target).status_code == 404
    assert manager_client.get(target).status_code == 405
