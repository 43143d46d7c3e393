"""Event triggers: each finds the customers the event happened to since the campaign started,
once per customer and occurrence, under the same rules as a campaign start."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from campaigns import services
from campaigns.models import CampaignStatus, RecipientGroup, TriggerKind
from customers.models import AcquisitionChannel, FeedbackStatus
from segmentation.models import Tier, TierChange
from tests.campaigns.factories import CampaignFactory, reachable, recipients
from tests.factories import FeedbackFactory, TransactionFactory

pytestmark = pytest.mark.django_db

NOW = timezone.now()
STARTED = NOW - timedelta(days=1)


def triggered(tenant, trigger, **kwargs):
    campaign = CampaignFactory(
        tenant=tenant,
        trigger=trigger,
        status=CampaignStatus.SCHEDULED,
        starts_at=STARTED - timedelta(hours=1),
        ends_at=NOW + timedelta(days=30),
        **kwargs,
    )
    started = services.campaign_start(tenant=tenant, campaign_id=campaign.pk, now=STARTED)
    assert started.started_at == STARTED
    return started


def evaluate(campaign, now=NOW):
    return services.trigger_evaluate(tenant=campaign.tenant, campaign=campaign, now=now)


def occurrences(campaign) -> dict[int, str]:
    return {pk: r.occurrence for pk, r in recipients(campaign).items()}


def buy(customer, amount, when):
    return TransactionFactory(
        customer=customer, tenant=customer.tenant, amount=Decimal(amount), occurred_at=when
    )


def test_first_purchase(tenant_scope):
    tenant = tenant_scope
    newcomer, regular = reachable(tenant), reachable(tenant)
    buy(newcomer, "100", STARTED + timedelta(hours=2))
    buy(regular, "100", STARTED - timedelta(days=40))
    buy(regular, "100", STARTED + timedelta(hours=3))
    campaign = triggered(tenant, TriggerKind.FIRST_PURCHASE)
    assert evaluate(campaign) == 1
    assert evaluate(campaign) == 0  # once per occurrence
    assert occurrences(campaign) == {newcomer.pk: "first_purchase"}


def test_tier_up_and_down(tenant_scope):
    tenant = tenant_scope
    platinum, gold, silver, bronze = Tier.objects.filter(tenant=tenant).order_by("position")
    up, down, entered, left, old = (reachable(tenant) for _ in range(5))
    changes = {}
    with scopes_disabled():
        for customer, source, target in (
            (up, silver, gold),
            (down, gold, silver),
            (entered, None, bronze),
            (left, bronze, None),
        ):
            changes[customer.pk] = TierChange.objects.create(
                tenant=tenant,
                customer=customer,
                from_tier=source,
                to_tier=target,
                reason="recompute",
                changed_at=STARTED + timedelta(hours=5),
            )
        TierChange.objects.create(
            tenant=tenant,
            customer=old,
            from_tier=bronze,
            to_tier=platinum,
            reason="recompute",
            changed_at=STARTED - timedelta(days=2),
        )
    ups = triggered(tenant, TriggerKind.TIER_UP)
    downs = triggered(tenant, TriggerKind.TIER_DOWN)
    evaluate(ups)
    evaluate(downs)
    assert occurrences(ups) == {
        up.pk: f"tier:{changes[up.pk].pk}",
        entered.pk: f"tier:{changes[entered.pk].pk}",
    }
    assert occurrences(downs) == {
        down.pk: f"tier:{changes[down.pk].pk}",
        left.pk: f"tier:{changes[left.pk].pk}",
    }


def test_no_purchase_for_n_days(tenant_scope):
    tenant = tenant_scope
    just_lapsed, long_lapsed, recent = (reachable(tenant) for _ in range(3))
    last = NOW - timedelta(days=30, hours=12)
    buy(just_lapsed, "50", last)
    buy(long_lapsed, "50", NOW - timedelta(days=90))
    buy(recent, "50", NOW - timedelta(days=10))
    campaign = triggered(tenant, TriggerKind.NO_PURCHASE, trigger_days=30)
    evaluate(campaign)
    local_day = last.astimezone(tenant.zone).date().isoformat()
    assert occurrences(campaign) == {just_lapsed.pk: f"lapsed:{local_day}"}


def test_birthday_today_once_a_year(tenant_scope):
    tenant = tenant_scope
    today = NOW.astimezone(tenant.zone).date()
    birthday = reachable(tenant, birthday=date(1990, today.month, min(today.day, 28)))
    other = reachable(tenant, birthday=date(1990, (today.month % 12) + 1, 1))
    campaign = triggered(tenant, TriggerKind.BIRTHDAY)
    evaluate(
        campaign,
        now=datetime.combine(
            date(today.year, today.month, min(today.day, 28)),
            datetime.min.time(),
            tzinfo=tenant.zone,
        )
        + timedelta(hours=12),
    )
    assert occurrences(campaign) == {birthday.pk: f"birthday:{today.year}"}
    assert other.pk not in occurrences(campaign)


def test_a_29_february_birthday_is_celebrated_on_28_february_in_other_years(tenant_scope):
    tenant = tenant_scope
    leapling = reachable(tenant, birthday=date(2000, 2, 29))
    campaign = triggered(tenant, TriggerKind.BIRTHDAY)
    evaluate(campaign, now=datetime(2027, 2, 28, 9, 0, tzinfo=UTC))
    assert occurrences(campaign) == {leapling.pk: "birthday:2027"}


def test_complaint_resolved(tenant_scope):
    tenant = tenant_scope
    customer = reachable(tenant)
    complaint = FeedbackFactory(
        tenant=tenant,
        customer=customer,
        status=FeedbackStatus.RESOLVED,
        opened_at=STARTED - timedelta(days=3),
        resolved_at=STARTED + timedelta(hours=1),
    )
    FeedbackFactory(
        tenant=tenant,
        customer=reachable(tenant),
        status=FeedbackStatus.RESOLVED,
        opened_at=STARTED - timedelta(days=3),
        resolved_at=STARTED - timedelta(days=1),
    )
    campaign = triggered(tenant, TriggerKind.COMPLAINT_RESOLVED)
    evaluate(campaign)
    assert occurrences(campaign) == {customer.pk: f"complaint:{complaint.pk}"}


def test_spend_crossing_a_threshold(tenant_scope):
    tenant = tenant_scope
    crosser, already_above, below = (reachable(tenant) for _ in range(3))
    buy(crosser, "600", STARTED - timedelta(days=5))
    buy(crosser, "500", STARTED + timedelta(hours=1))  # 1,100 ≥ 1,000 now, 600 before
    buy(already_above, "1200", STARTED - timedelta(days=5))
    buy(already_above, "100", STARTED + timedelta(hours=1))
    buy(below, "300", STARTED + timedelta(hours=1))
    campaign = triggered(tenant, TriggerKind.SPEND_THRESHOLD, trigger_amount=Decimal("1000"))
    evaluate(campaign)
    assert occurrences(campaign) == {crosser.pk: "spend:1000.00"}


def test_new_customer_from_a_channel(tenant_scope):
    tenant = tenant_scope
    from_web = reachable(
        tenant, acquisition_channel=AcquisitionChannel.WEB, created_at=STARTED + timedelta(hours=1)
    )
    reachable(
        tenant,
        acquisition_channel=AcquisitionChannel.STORE,
        created_at=STARTED + timedelta(hours=1),
    )
    reachable(
        tenant, acquisition_channel=AcquisitionChannel.WEB, created_at=STARTED - timedelta(days=1)
    )
    campaign = triggered(
        tenant, TriggerKind.NEW_FROM_CHANNEL, trigger_channel=AcquisitionChannel.WEB
    )
    evaluate(campaign)
    assert occurrences(campaign) == {from_web.pk: "new"}


def test_triggers_obey_consent_and_the_budget_left(tenant_scope):
    tenant = tenant_scope
    first, second, silent = (
        reachable(tenant),
        reachable(tenant),
        reachable(tenant, consent_email=False),
    )
    for customer in (first, second, silent):
        buy(customer, "10", STARTED + timedelta(hours=1))
    campaign = triggered(
        tenant, TriggerKind.FIRST_PURCHASE, cost_email=Decimal("1"), budget=Decimal("1")
    )
    evaluate(campaign)
    rows = recipients(campaign)
    assert rows[silent.pk].reason == "no_consent"
    groups = sorted(rows[c.pk].group for c in (first, second))
    assert groups == [RecipientGroup.EXCLUDED, RecipientGroup.TARGET]
    # The budget is spent: a later first purchase is left out too.
    late = reachable(tenant)
    buy(late, "10", STARTED + timedelta(hours=6))
    evaluate(campaign)
    assert recipients(campaign)[late.pk].reason == "over_budget"


def test_a_triggered_campaigns_page_counts_its_audience_so_far(tenant, manager_client):
    from django.urls import reverse
    from django_scopes import scope

    with scope(tenant=tenant):
        reached, silent = reachable(tenant), reachable(tenant, consent_email=False)
        for customer in (reached, silent):
            buy(customer, "10", STARTED + timedelta(hours=1))
        campaign = triggered(tenant, TriggerKind.FIRST_PURCHASE)
        evaluate(campaign)
    page = manager_client.get(
        reverse("campaigns:detail", kwargs={"tenant_slug": tenant.slug, "campaign_id": campaign.pk})
    ).content.decode()
    assert "Audience so far" in page
    assert "2 customers: 1 to contact, 0 in the control group." in page
    assert "No consent on any of the campaign&#x27;s channels: 1" in page
