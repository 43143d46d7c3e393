"""The acquisition figures, on a small hand-computed company: the nightly summaries (SQL) and
the report read from them.

The company (time zone Europe/Istanbul), "now" 2026-11-30 12:00 UTC:
- L1 web lead, campaign "Bahar", created 2026-01-10; buys 100 on 01-20 (10 days later),
  200 on 03-01, 300 on 08-01. Reached tier 3 on 02-01 and tier 1 on 06-01. Score now 80.
- L2 web lead, campaign "Bahar", created 2026-01-15; lost, never bought.
- L3 web lead, no campaign, created 2026-01-31 22:30 UTC = 02-01 01:30 in Istanbul (a
  February lead); won by hand, never bought.
- C4 store customer without a lead, acquired 2026-01-03; buys 50 on 01-05 (2 days), 70 on
  05-01, and a refunded 999 on 01-06. Reached tier 4 on 01-10. No score.
Costs: web/Bahar January 600, web February 400, store January 100. Bahar (an acquisition
campaign) sent two emails at 25.00 each, on 01-12 and on 01-31 22:30 UTC (February in
Istanbul), and one in March at 30.00; one more is
queued (99.00, not sent); the retention campaign "Sadakat" sent one (7.00, not acquisition).

January–February:
- web: 3 customers, 3 leads, 2 won leads (L1 by purchase, L3 by hand) → 66.7 %; won
  customers 2; cost 1000 → 500.00 per won customer; 1 buyer, 10 days.
- store: 1 customer, no leads (no rate), 1 won, cost 100 → 100.00, 2 days.
- Bahar, across channels: 2 leads, 1 won → 50.0 %; cost 600 entered + 50 messages = 650 →
  650.00 per won customer; 10 days.
- all: cost 1100 entered + 50 messages = 1150, 3 won → 383.33; days (10 + 2) / 2 = 6.0.
After 3 months (L1 to 04-20, C4 to 04-05): web 1 customer, revenue 300, score 80, best tier
3; store 1 customer, revenue 50 (the refund is not revenue), best tier 4.
After 6 months (to 07-20 / 07-05): web 300 and tier 1; store 120. After 12 months: nobody yet.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from acquisition.models import AcquisitionCost, CohortSummary, Lead, SummaryRun
from acquisition.selectors import acquisition_report
from acquisition.services import (
    acquisition_summaries_compute,
    lead_status_change,
    leads_convert_buyers,
)
from acquisition.tasks import acquisition_nightly
from campaigns.models import Recipient
from customers.models import TransactionStatus
from segmentation.models import CustomerScore, ScoreRun, ScoreStatus, Tier, TierChange
from tests.acquisition.conftest import buy, make_campaign, make_lead
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture
def company(tenant):
    bahar = make_campaign(tenant, name="Bahar")
    sadakat = make_campaign(tenant, name="Sadakat", objective="retention")
    with scopes_disabled():
        tiers = {tier.position: tier for tier in Tier.objects.filter(tenant=tenant)}
        l1 = make_lead(tenant, source="web_form", campaign=bahar, first_name="Bir")
        l2 = make_lead(tenant, source="web_form", campaign=bahar, first_name="İki")
        l3 = make_lead(tenant, source="web_form", first_name="Üç")
        for lead, created in (
            (l1, "2026-01-10T09:00"),
            (l2, "2026-01-15T09:00"),
            (l3, "2026-01-31T22:30"),
        ):
            Lead.objects.filter(pk=lead.pk).update(
                created_at=at(created), status_changed_at=at(created)
            )
        lead_status_change(tenant=tenant, actor=None, lead=l2, status="lost", reason="Pahalı")
        lead_status_change(tenant=tenant, actor=None, lead=l3, status="won")
        c4 = CustomerFactory(
            tenant=tenant, acquisition_channel="store", acquired_on=date(2026, 1, 3),
            lifecycle_stage="active", created_at=at("2026-01-03T10:00"),
        )  # fmt: skip
        buy(l1.customer, "100", occurred_at=at("2026-01-20T10:00"))
        buy(l1.customer, "200", occurred_at=at("2026-03-01T10:00"))
        buy(l1.customer, "300", occurred_at=at("2026-08-01T10:00"))
        buy(c4, "50", occurred_at=at("2026-01-05T10:00"))
        buy(c4, "70", occurred_at=at("2026-05-01T10:00"))
        buy(c4, "999", occurred_at=at("2026-01-06T10:00"), status=TransactionStatus.REFUNDED)
        run = ScoreRun.objects.create(tenant=tenant, trigger="manual", status="succeeded")
        CustomerScore.objects.create(
            tenant=tenant, customer=l1.customer, run=run, status=ScoreStatus.ACTIVE,
            score=Decimal("80"), tier=tiers[1],
        )  # fmt: skip
        for customer, tier, when in (
            (l1.customer, tiers[3], "2026-02-01T03:00"),
            (l1.customer, tiers[1], "2026-06-01T03:00"),
            (c4, tiers[4], "2026-01-10T03:00"),
        ):
            TierChange.objects.create(
                tenant=tenant,
                customer=customer,
                to_tier=tier,
                reason="recompute",
                changed_at=at(when),
            )
        for month, channel, campaign, amount in (
            ("2026-01-01", "web", bahar, "600"),
            ("2026-02-01", "web", None, "400"),
            ("2026-01-01", "store", None, "100"),
            ("2026-03-01", "store", None, "5000"),  # outside the period
        ):
            AcquisitionCost.objects.create(
                tenant=tenant, month=month, channel=channel, campaign=campaign, amount=amount
            )
        for campaign, customer, status, cost, sent_at in (
            (bahar, l1.customer, "sent", "25.00", at("2026-01-12T09:00")),
            (bahar, l2.customer, "sent", "25.00", at("2026-01-31T22:30")),  # February in Istanbul
            (bahar, l3.customer, "sent", "30.00", at("2026-03-02T09:00")),  # outside
            (bahar, c4, "queued", "99.00", None),
            (sadakat, c4, "sent", "7.00", at("2026-01-12T09:00")),  # not acquisition
        ):
            Recipient.objects.create(
                tenant=tenant, campaign=campaign, customer=customer, group="target",
                channel="email", status=status, cost=Decimal(cost), sent_at=sent_at,
            )  # fmt: skip
        assert leads_convert_buyers(tenant=tenant) == 1  # L1
        acquisition_summaries_compute(tenant=tenant, now=NOW)
    return {"tiers": tiers, "bahar": bahar}


def report(tenant, start=date(2026, 1, 1), end=date(2026, 2, 1)):
    with scopes_disabled():
        return acquisition_report(tenant=tenant, start=start, end=end)


def test_channel_figures(tenant, company):
    web, store = report(tenant).lines
    assert (web.channel, web.cost, web.customers, web.leads, web.leads_won, web.won) == (
        "web", Decimal("1000"), 3, 3, 2, 2,
    )  # fmt: skip
    assert (web.conversion_rate, web.cost_per_won_customer) == (Decimal("66.7"), Decimal("500.00"))
    assert web.average_days_to_first_purchase == Decimal("10.0")
    assert (store.channel, store.cost, store.leads, store.won) == ("store", Decimal("100"), 0, 1)
    assert (store.conversion_rate, store.cost_per_won_customer) == (None, Decimal("100.00"))
    assert store.average_days_to_first_purchase == Decimal("2.0")


def test_campaign_figures(tenant, company):
    (bahar,) = report(tenant).campaigns
    assert (bahar.campaign, bahar.label) == (company["bahar"], "Bahar")
    assert (bahar.leads, bahar.leads_won, bahar.conversion_rate) == (2, 1, Decimal("50.0"))
    assert (bahar.cost, bahar.message_cost, bahar.cost_per_won_customer) == (
        Decimal("650.00"), Decimal("50.00"), Decimal("650.00"),
    )  # fmt: skip
    assert bahar.average_days_to_first_purchase == Decimal("10.0")


def test_the_messages_count_in_the_month_they_were_sent(tenant, company):
    february = report(tenant, start=date(2026, 2, 1), end=date(2026, 2, 1))
    assert february.message_cost == Decimal("25.00")
    march = report(tenant, start=date(2026, 3, 1), end=date(2026, 3, 1))
    assert march.message_cost == Decimal("30.00")
    assert [(c.label, c.cost, c.leads) for c in march.campaigns] == [("Bahar", Decimal("30.00"), 0)]


def test_totals(tenant, company):
    total = report(tenant).total
    assert (total.cost, total.won, total.cost_per_won_customer) == (
        Decimal("1150"), 3, Decimal("383.33"),
    )  # fmt: skip
    assert report(tenant).message_cost == Decimal("50.00")
    assert total.average_days_to_first_purchase == Decimal("6.0")


def test_value_after_3_6_and_12_months(tenant, company):
    web, store = report(tenant).lines
    three, six, twelve = web.horizon(3), web.horizon(6), web.horizon(12)
    assert (three.customers, three.average_revenue, three.average_score) == (
        1, Decimal("300.00"), Decimal("80.00"),
    )  # fmt: skip
    assert [share for _tier, share in three.tier_shares] == [
        Decimal("0.0"), Decimal("0.0"), Decimal("100.0"), Decimal("100.0"),
    ]  # fmt: skip
    assert (six.average_revenue, [share for _t, share in six.tier_shares]) == (
        Decimal("300.00"), [Decimal("100.0")] * 4,
    )  # fmt: skip
    assert (twelve.customers, twelve.average_revenue) == (0, None)
    assert (store.horizon(3).average_revenue, store.horizon(6).average_revenue) == (
        Decimal("50.00"), Decimal("120.00"),
    )  # fmt: skip
    assert store.horizon(3).average_score is None
    assert [share for _t, share in store.horizon(3).tier_shares] == [
        Decimal("0.0"), Decimal("0.0"), Decimal("0.0"), Decimal("100.0"),
    ]  # fmt: skip


def test_a_lead_counts_in_the_month_of_its_creation_in_the_companys_time_zone(tenant, company):
    web = report(tenant, start=date(2026, 2, 1), end=date(2026, 2, 1)).lines[0]
    assert (web.leads, web.won, web.cost) == (1, 1, Decimal("400"))


def test_the_report_reads_the_nightly_summary_not_live_data(tenant, company):
    make_lead(tenant, source="web_form")  # created now
    # This month in the company's time zone (not UTC's: they differ around midnight).
    this_month = timezone.localdate(timezone=ZoneInfo(tenant.timezone)).replace(day=1)
    assert report(tenant, start=this_month, end=this_month).lines == []
    with scopes_disabled():
        acquisition_summaries_compute(tenant=tenant)
    assert report(tenant, start=this_month, end=this_month).lines[0].leads == 1


def test_a_new_run_replaces_the_last(tenant, company):
    with scopes_disabled():
        acquisition_summaries_compute(tenant=tenant, now=NOW)
        assert SummaryRun.objects.filter(tenant=tenant).count() == 1
        # (January, web, Bahar), (February, web, none), (January, store, none)
        assert CohortSummary.objects.filter(tenant=tenant).count() == 3


def test_summaries_stay_within_the_tenant(tenant, other_tenant, company):
    other = make_lead(other_tenant, source="web_form")
    buy(other.customer)
    with scopes_disabled():
        acquisition_summaries_compute(tenant=other_tenant, now=NOW)
    assert report(tenant).total.leads == 3
    with scopes_disabled():
        assert not CohortSummary.objects.filter(tenant=tenant, run__tenant=other_tenant).exists()


def test_the_nightly_task_converts_missed_buyers_and_summarises(tenant, lead):
    buy(lead.customer)
    result = acquisition_nightly.apply(args=[tenant.pk]).get()
    assert result["converted"] == 1
    with scopes_disabled():
        assert Lead.objects.get(pk=lead.pk).status == "won"
        assert SummaryRun.objects.filter(tenant=tenant).count() == 1


def test_the_fan_out_queues_one_job_per_active_tenant(tenant, other_tenant, monkeypatch):
    from acquisition import tasks

    queued = []
    monkeypatch.setattr(tasks.acquisition_nightly, "delay", queued.append)
    other_tenant.is_active = False
    other_tenant.save()
    assert tasks.schedule_nightly_acquisition() == 1
    assert queued == [tenant.pk]


def test_the_managers_page_shows_table_and_chart(manager_client, tenant, company):
    response = manager_client.get(
        reverse("acquisition:report", kwargs={"tenant_slug": tenant.slug})
        + "?start=2026-01&end=2026-02"
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "<svg" in body and "500.00" in body and "383.33" in body and "66.7 %" in body
    assert 'id="campaign-table"' in body and "650.00" in body
    bars = {bar.label: bar.width for bar in response.context["chart"].bars}
    # 500 is the longest bar (330 units); 100 is a fifth of it.
    assert bars == {"Website": 330, "Store": 66}
