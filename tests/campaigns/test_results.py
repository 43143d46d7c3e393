"""Results against the control group on a hand-computed fixture: attribution window, revenue
and margin, cost, ROI, uplift, and the test of whether the difference is chance."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from campaigns.models import CampaignStatus, Channel, Recipient
from campaigns.results import GroupResult, campaign_results, campaign_results_by, significance_of
from tests.campaigns.factories import CampaignFactory, reachable
from tests.factories import TransactionFactory

pytestmark = pytest.mark.django_db
T0 = timezone.now() - timedelta(days=60)


def member(campaign, group, *, status="", channel=Channel.EMAIL, cost="0", **fields):
    customer = reachable(campaign.tenant)
    with scopes_disabled():
        Recipient.objects.create(
            tenant=campaign.tenant,
            campaign=campaign,
            customer=customer,
            group=group,
            status=status,
            channel=channel,
            cost=Decimal(cost),
            created_at=T0,
            **fields,
        )
    return customer


def buy(customer, amount, cost, days_after):
    TransactionFactory(
        customer=customer,
        tenant=customer.tenant,
        amount=Decimal(amount),
        cost=None if cost is None else Decimal(cost),
        occurred_at=T0 + timedelta(days=days_after),
    )


@pytest.fixture
def campaign(tenant):
    campaign = CampaignFactory(
        tenant=tenant, status=CampaignStatus.RUNNING, attribution_days=30, started_at=T0
    )
    t1 = member(campaign, "target", status="sent", cost="2")
    buy(t1, "100", "60", 5)  # converted: revenue 100, margin 40
    t2 = member(campaign, "target", status="sent", cost="2")
    buy(t2, "200", "150", 40)  # after the 30-day window: not converted
    t3 = member(campaign, "target", status="sent", cost="2")
    buy(t3, "50", None, 1)  # converted: revenue 50, margin unknown (0)
    member(campaign, "target", status="sent", cost="2", clicked_at=T0 + timedelta(hours=2))
    member(campaign, "target", status="sent", channel=Channel.CALL, cost="5", outcome="interested")
    member(campaign, "target", status="queued", cost="2")  # not sent: not charged
    c1 = member(campaign, "control")
    buy(c1, "80", "50", 3)  # converted: revenue 80, margin 30
    member(campaign, "control")
    c3 = member(campaign, "control")
    buy(c3, "500", "100", -1)  # before entering the audience: not attributed
    left_out = member(campaign, "excluded", reason="capped")
    buy(left_out, "999", "1", 2)
    return campaign


def test_each_group_is_counted_by_hand(campaign):
    result = campaign_results(tenant=campaign.tenant, campaign_ids=[campaign.pk])[campaign.pk]
    assert result.target == GroupResult(
        members=6,
        contacted=5,
        delivered=5,
        clicked=1,
        converted=3,  # two purchases in the window and the interested call
        revenue=Decimal("150.00"),
        margin=Decimal("40.00"),
        cost=Decimal("13.00"),  # 4 emails × 2 + 1 call × 5
    )
    assert result.control == GroupResult(
        members=3, converted=1, revenue=Decimal("80.00"), margin=Decimal("30.00")
    )


def test_uplift_incremental_margin_and_roi(campaign):
    result = campaign_results(tenant=campaign.tenant, campaign_ids=[campaign.pk])[campaign.pk]
    assert result.target.conversion_rate == pytest.approx(0.5)  # 3 / 6
    assert result.control.conversion_rate == pytest.approx(1 / 3)
    assert result.uplift == pytest.approx(1 / 6)
    # (40/6 − 30/3) × 6 = −20.00: the contacted customers left less margin each than the control.
    assert result.incremental_margin == Decimal("-20.00")
    assert result.roi == Decimal("2.0769")  # (40 − 13) ÷ 13
    assert result.incremental_roi == Decimal("-2.5385")  # (−20 − 13) ÷ 13


def test_small_groups_use_fishers_exact_test(campaign):
    result = campaign_results(tenant=campaign.tenant, campaign_ids=[campaign.pk])[campaign.pk]
    significance = result.significance
    # Hypergeometric, 9 customers, 4 converted, 6 contacted: P(1..4) = 4, 30, 40, 10 of 84;
    # every outcome is at most as likely as the observed 3 (40/84), so p = 84/84 = 1.
    assert significance.test == "fisher"
    assert significance.p_value == pytest.approx(1.0)
    assert significance.distinguishable is False
    assert "could well be chance" in significance.statement


def test_large_groups_use_the_two_proportion_test():
    # 30 of 100 against 10 of 100: pooled p = 0.2, se = √(0.2·0.8·(2/100)) = 0.05657,
    # z = 0.2 / 0.05657 = 3.5355, two-sided p = 2 · (1 − Φ(3.5355)) = 0.000407.
    significance = significance_of(
        GroupResult(members=100, converted=30), GroupResult(members=100, converted=10)
    )
    assert significance.test == "chi2"
    assert significance.p_value == pytest.approx(0.000407, abs=2e-6)
    assert significance.distinguishable is True
    assert "unlikely to be chance" in significance.statement


def test_no_control_group_says_so():
    significance = significance_of(GroupResult(members=10, converted=3), GroupResult())
    assert significance.p_value is None
    assert "No control group" in significance.statement


def test_results_per_lifecycle_stage_add_up_to_the_whole(campaign):
    parts = campaign_results_by(tenant=campaign.tenant, campaign_id=campaign.pk, breakdown="stage")
    assert set(parts) == {"active"}
    assert parts["active"].target.converted == 3
    assert parts["active"].control.members == 3


def test_results_per_segment_count_only_the_segments_members(campaign):
    from campaigns.results import campaign_breakdown
    from segmentation.models import Segment

    with scopes_disabled():
        Segment.objects.create(tenant=campaign.tenant, name="Aktifler", lifecycle_stages=["active"])
        Segment.objects.create(tenant=campaign.tenant, name="Kayıplar", lifecycle_stages=["lapsed"])
    from django_scopes import scope

    with scope(tenant=campaign.tenant):
        rows = campaign_breakdown(tenant=campaign.tenant, campaign_id=campaign.pk, by="segment")
    assert [
        (row.label, row.result.target.converted, row.result.control.members) for row in rows
    ] == [
        ("Aktifler", 3, 3),
        ("Kayıplar", 0, 0),
    ]


def test_pages_show_rates_in_percent_and_the_uplift_in_points(campaign, manager_client, settings):
    from django.urls import reverse

    manager_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "tr"
    slug = campaign.tenant.slug
    detail = manager_client.get(
        reverse("campaigns:detail", kwargs={"tenant_slug": slug, "campaign_id": campaign.pk})
    ).content.decode()
    assert "50,0 %" in detail  # 3 of 6 contacted converted
    assert "33,3 %" in detail  # 1 of 3 in the control group
    assert "16,7 yüzde puan" in detail
    listing = manager_client.get(
        reverse("campaigns:list", kwargs={"tenant_slug": slug})
    ).content.decode()
    assert "50,0 %" in listing and "33,3 %" in listing and "16,7 puan" in listing
