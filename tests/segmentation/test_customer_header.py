"""Beside the customer's name: tier badge, score, points to the next tier and the tier's
strategy; the score panel says plainly that a penalty key lowers the score."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from segmentation.customer_header import next_tier_for
from segmentation.models import CustomerScore, RunTierSummary
from segmentation.services import scores_recompute
from tests.segmentation.factories import buy, complain, customer, use_keys, use_tiers

pytestmark = pytest.mark.django_db


@pytest.fixture
def scored(tenant):
    """Revenue, min–max: 100 → 0, 200 → 50, 300 → 100; one customer per tier."""
    use_keys(tenant, ("revenue", 1, "min_max"))
    tiers = use_tiers(tenant, "33.34", "33.33", "33.33")
    with scopes_disabled():
        tiers[1].strategy = "Ayda bir ziyaret edin; kampanyaları önce onlara duyurun."
        tiers[1].save()
    low = customer(tenant, first_name="Ali", last_name="Düşük")
    mid = customer(tenant, first_name="Bora", last_name="Orta", phone="+905321234567")
    high = customer(tenant, first_name="Cem", last_name="Yüksek")
    for who, amount in ((low, 100), (mid, 200), (high, 300)):
        buy(who, amount, days_ago=5)
    scores_recompute(tenant=tenant, now=timezone.now())
    return {"tiers": tiers, "low": low, "mid": mid, "high": high}


def _page(client, who) -> str:
    url = reverse(
        "customers:detail", kwargs={"tenant_slug": who.tenant.slug, "customer_id": who.pk}
    )
    return client.get(url).content.decode()


def _score(who) -> CustomerScore:
    with scopes_disabled():
        return CustomerScore.objects.select_related("tier").get(customer=who)


def test_points_to_the_next_tier_are_its_lowest_score_minus_mine(tenant, scored):
    with scopes_disabled():
        found = next_tier_for(tenant=tenant, score=_score(scored["mid"]))
    assert found.tier == scored["tiers"][0]
    assert str(found.points) == "50.00"  # 100 (Cem, the peak's lowest) - 50


def test_the_lowest_score_of_a_tier_is_read_once_per_run(tenant, scored, django_assert_num_queries):
    mid = _score(scored["mid"])
    with scopes_disabled():
        next_tier_for(tenant=tenant, score=mid)
        with django_assert_num_queries(2):  # the tier above, the last run; no MIN over scores
            assert str(next_tier_for(tenant=tenant, score=mid).points) == "50.00"
        buy(scored["high"], 100, days_ago=1)
        scores_recompute(tenant=tenant, now=timezone.now())  # a new run reads it again
        found = next_tier_for(tenant=tenant, score=_score(scored["mid"]))
    assert str(found.points) == "66.67"  # 100 - 33.33: revenue 200 between 100 and 400


def test_the_lowest_score_comes_from_the_run_summary_not_the_scores(
    tenant, scored, django_assert_max_num_queries
):
    from django.core.cache import cache

    cache.clear()
    mid = _score(scored["mid"])
    with scopes_disabled(), django_assert_max_num_queries(3) as captured:
        assert str(next_tier_for(tenant=tenant, score=mid).points) == "50.00"
    assert not any("segmentation_customerscore" in q["sql"] for q in captured.captured_queries)
    with scopes_disabled():
        summary = RunTierSummary.objects.get(tier=scored["tiers"][0])
    assert str(summary.lowest_score) == "100.0000"


def test_a_run_summarised_before_the_lowest_score_reads_the_scores(tenant, scored):
    from django.core.cache import cache

    cache.clear()
    with scopes_disabled():
        RunTierSummary.objects.update(lowest_score=None)
        found = next_tier_for(tenant=tenant, score=_score(scored["mid"]))
    assert str(found.points) == "50.00"


def test_a_pinned_customer_does_not_set_the_tier_lowest_score(tenant, scored):
    """Ali (score 0) pinned to the peak: the peak's lowest score stays Cem's 100."""
    from django.core.cache import cache

    from segmentation.services.pins import tier_pin_set

    with scopes_disabled():
        tier_pin_set(
            tenant=tenant,
            customer=scored["low"],
            tier=scored["tiers"][0],
            reason="Kilit müşteri",
            until=None,
            actor=None,
        )
    scores_recompute(tenant=tenant, now=timezone.now())
    cache.clear()
    with scopes_disabled():
        low = _score(scored["low"])
        found = next_tier_for(tenant=tenant, score=_score(scored["mid"]))
        lowest = RunTierSummary.objects.filter(tier=scored["tiers"][0], run=low.run).values_list(
            "lowest_score", flat=True
        )
    assert low.tier == scored["tiers"][0] and low.is_pinned
    assert str(found.points) == "50.00"
    assert [str(value) for value in lowest] == ["100.0000"]


def test_the_peak_has_no_next_tier(tenant, scored):
    with scopes_disabled():
        assert next_tier_for(tenant=tenant, score=_score(scored["high"])) is None


def test_a_threshold_tier_is_reached_at_its_threshold(tenant, scored):
    top = scored["tiers"][0]
    with scopes_disabled():
        top.share_percent, top.min_score = None, 80
        top.save()
        found = next_tier_for(tenant=tenant, score=_score(scored["mid"]))
    assert str(found.points) == "30.00"  # 80 - 50


def test_customer_page_shows_tier_score_next_tier_and_strategy(sales_client, scored):
    content = _page(sales_client, scored["mid"])
    header = content[: content.index('id="quick-actions"')]
    assert "Level 2" in header
    assert "Score <strong>50.0</strong> / 100" in header
    assert "50.00 points to Level 1" in header
    assert "Ayda bir ziyaret edin; kampanyaları önce onlara duyurun." in header


def test_on_the_page_totals_and_actions_come_before_the_facts(sales_client, scored):
    content = _page(sales_client, scored["mid"])
    assert 'href="tel:+905321234567"' in content
    assert content.index('id="quick-actions"') < content.index("Key facts")
    assert content.index('id="quick-actions"') < content.index('id="panel-score"')


def test_the_score_panel_says_a_penalty_lowers_the_score(sales_client, tenant):
    use_keys(tenant, ("revenue", 1, "min_max"), ("complaints", -1, "min_max"))
    use_tiers(tenant, 50, 50)
    grumpy, calm = customer(tenant), customer(tenant)
    buy(grumpy, 100, days_ago=5)
    buy(calm, 100, days_ago=5)
    complain(grumpy, days_ago=3)
    scores_recompute(tenant=tenant, now=timezone.now())
    content = _page(sales_client, grumpy)
    assert "A penalty key (negative weight) lowers the score" in content
    assert content.count("penalty: lowers the score") == 1


def test_the_tier_colour_is_picked_with_a_colour_picker(admin_client_, tenant):
    (tier,) = use_tiers(tenant, 100)
    change = admin_client_.get(reverse("admin:segmentation_tier_change", args=[tier.pk]))
    assert 'type="color"' in change.content.decode()
    changelist = admin_client_.get(reverse("admin:segmentation_tier_changelist"))
    assert 'type="color"' in changelist.content.decode()


def test_tier_shares_not_adding_up_to_100_are_refused_before_saving(admin_client_, tenant):
    top, _base = use_tiers(tenant, 40, 60)
    response = admin_client_.post(
        reverse("admin:segmentation_tier_change", args=[top.pk]),
        {
            "position": 1,
            "name_tr": "Kat 1",
            "name_en": "Level 1",
            "share_percent": "45",
            "min_score": "",
            "colour": "#c0c0c0",
            "strategy": "",
        },
    )
    assert response.status_code == 200
    assert "add up to 105%" in response.content.decode()
    with scopes_disabled():
        top.refresh_from_db()
    assert top.share_percent == 40


def test_the_customer_page_reads_the_score_once_for_header_and_panels(manager_client, scored):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        body = _page(manager_client, scored["mid"])
    score_reads = [
        q
        for q in queries
        if 'FROM "segmentation_customerscore"' in q["sql"] and "MIN(" not in q["sql"]
    ]
    assert len(score_reads) == 1
    # The header, the scores panel and the loyalty panel (its tier) all show it.
    assert 'id="panel-score"' in body
    assert "50,00" in body or "50.00" in body
    assert scored["tiers"][1].name in body
