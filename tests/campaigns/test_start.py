"""Starting a campaign: the audience frozen into recipients with the rules applied set-based —
consent per channel, do-not-contact, terminated and archived customers, the frequency cap
across campaigns, the reproducible control split and the budget (by score or by margin)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from campaigns import services
from campaigns.models import (
    CampaignStatus,
    Channel,
    ContactRules,
    Objective,
    Recipient,
    RecipientGroup,
    RecipientStatus,
    Suppression,
)
from customers.models import LifecycleStage
from tests.campaigns.factories import (
    CampaignFactory,
    give_score,
    in_control,
    reachable,
    recipients,
)
from tests.factories import CustomerFactory, TransactionFactory

pytestmark = pytest.mark.django_db


def start(campaign, **kwargs):
    campaign.status = CampaignStatus.SCHEDULED
    campaign.save()
    return services.campaign_start(tenant=campaign.tenant, campaign_id=campaign.pk, **kwargs)


def test_start_queues_every_reachable_customer_once(tenant_scope):
    tenant = tenant_scope
    first, second = reachable(tenant), reachable(tenant)
    reachable(tenant, lifecycle_stage=LifecycleStage.LAPSED)  # not in the audience
    campaign = CampaignFactory(tenant=tenant)
    started = start(campaign)
    rows = recipients(campaign)
    assert set(rows) == {first.pk, second.pk}
    assert {r.status for r in rows.values()} == {RecipientStatus.QUEUED}
    assert started.status == CampaignStatus.RUNNING
    assert started.start_summary["target"] == 2


def test_a_second_start_does_nothing(tenant_scope):
    campaign = CampaignFactory(tenant=tenant_scope)
    reachable(tenant_scope)
    assert start(campaign) is not None
    assert services.campaign_start(tenant=tenant_scope, campaign_id=campaign.pk) is None
    assert Recipient.objects.filter(campaign=campaign).count() == 1


def test_a_campaign_starting_later_is_not_started_early(tenant_scope):
    campaign = CampaignFactory(
        tenant=tenant_scope,
        starts_at=timezone.now() + timedelta(hours=1),
        ends_at=timezone.now() + timedelta(days=2),
    )
    assert start(campaign) is None
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.SCHEDULED


def test_consent_is_checked_per_channel_and_the_first_reachable_channel_wins(tenant_scope):
    tenant = tenant_scope
    by_email = reachable(tenant, phone="+905321112233", consent_sms=True)
    by_sms = reachable(tenant, consent_email=False, phone="+905321112234", consent_sms=True)
    phone_without_consent = reachable(tenant, consent_email=False, phone="+905321112235")
    email_consent_without_address = reachable(tenant, email="", phone="+905321112236")
    campaign = CampaignFactory(tenant=tenant, channels=[Channel.EMAIL, Channel.SMS])
    start(campaign)
    rows = recipients(campaign)
    assert rows[by_email.pk].channel == Channel.EMAIL
    assert rows[by_sms.pk].channel == Channel.SMS
    for customer in (phone_without_consent, email_consent_without_address):
        assert rows[customer.pk].group == RecipientGroup.EXCLUDED
        assert rows[customer.pk].reason == "no_consent"


def test_direct_mail_needs_an_address_not_an_electronic_consent(tenant_scope):
    tenant = tenant_scope
    with_address = reachable(tenant, consent_email=False, address="Atatürk Cad. 1, Kadıköy")
    without = reachable(tenant, consent_email=False)
    campaign = CampaignFactory(tenant=tenant, channels=[Channel.MAIL])
    start(campaign)
    rows = recipients(campaign)
    assert rows[with_address.pk].channel == Channel.MAIL
    assert rows[without.pk].reason == "no_consent"


def test_suppressed_terminated_and_archived_customers_are_left_out(tenant_scope):
    tenant = tenant_scope
    suppressed = reachable(tenant)
    Suppression.objects.create(tenant=tenant, customer=suppressed, reason="Aramayın dedi")
    archived = reachable(tenant, archived_at=timezone.now())
    terminated = reachable(
        tenant, lifecycle_stage=LifecycleStage.TERMINATED, termination_reason="x"
    )
    campaign = CampaignFactory(tenant=tenant)
    start(campaign)
    assert recipients(campaign)[suppressed.pk].reason == "suppressed"
    assert recipients(campaign)[archived.pk].reason == "archived"
    campaign2 = CampaignFactory(tenant=tenant, audience_stage=LifecycleStage.TERMINATED)
    start(campaign2)
    assert recipients(campaign2)[terminated.pk].reason == "terminated"
    assert campaign.recipients.filter(group=RecipientGroup.TARGET).count() == 0


def test_frequency_cap_counts_contacts_across_campaigns(tenant_scope):
    tenant = tenant_scope
    ContactRules.objects.create(tenant=tenant, max_contacts=2, period_days=30)
    busy, quiet = reachable(tenant), reachable(tenant)
    for _ in range(2):
        start(CampaignFactory(tenant=tenant, audience_stage=LifecycleStage.ACTIVE))
    # Both were contacted twice; a contact older than the period no longer counts for `quiet`.
    Recipient.objects.filter(customer=quiet).update(created_at=timezone.now() - timedelta(days=31))
    third = CampaignFactory(tenant=tenant)
    start(third)
    rows = recipients(third)
    assert rows[busy.pk].reason == "capped"
    assert rows[quiet.pk].group == RecipientGroup.TARGET


def test_control_split_is_reproducible_and_matches_the_hash(tenant_scope):
    tenant = tenant_scope
    customers = [reachable(tenant) for _ in range(40)]
    campaign = CampaignFactory(tenant=tenant, control_percent=25)
    start(campaign)
    rows = recipients(campaign)
    expected_control = {c.pk for c in customers if in_control(campaign.pk, c.pk, 25)}
    assert {pk for pk, r in rows.items() if r.group == RecipientGroup.CONTROL} == expected_control
    assert all(rows[pk].status == "" and rows[pk].cost == 0 for pk in expected_control)


def test_control_share_is_close_to_the_percentage_on_a_large_audience(tenant_scope):
    tenant = tenant_scope
    customers = CustomerFactory.create_batch(
        2000,
        tenant=tenant,
        lifecycle_stage=LifecycleStage.ACTIVE,
        email="a@example.com",
        consent_email=True,
    )
    campaign = CampaignFactory(tenant=tenant, control_percent=10)
    start(campaign)
    control = Recipient.objects.filter(campaign=campaign, group=RecipientGroup.CONTROL).count()
    expected = sum(in_control(campaign.pk, c.pk, 10) for c in customers)
    assert control == expected
    assert 160 <= control <= 240  # 10 % of 2,000 ± 4 standard deviations (σ ≈ 13.4)


def test_budget_keeps_the_highest_scores_and_says_how_many_it_left_out(tenant_scope):
    tenant = tenant_scope
    scored = []
    for score in (90, 70, 50, 30, 10):
        customer = reachable(tenant)
        give_score(customer, score)
        scored.append(customer)
    # 2.50 per email, budget 7.50: the three best (90, 70, 50) fit, 30 and 10 do not.
    campaign = CampaignFactory(tenant=tenant, cost_email=Decimal("2.50"), budget=Decimal("7.50"))
    started = start(campaign)
    rows = recipients(campaign)
    assert [rows[c.pk].group for c in scored] == ["target"] * 3 + ["excluded"] * 2
    assert rows[scored[3].pk].reason == "over_budget"
    assert started.start_summary["excluded"] == {"over_budget": 2}
    assert Decimal(started.start_summary["cost"]) == Decimal("7.50")


def test_budget_for_up_sell_ranks_by_expected_margin(tenant_scope):
    tenant = tenant_scope
    high_score_low_margin = reachable(tenant)
    give_score(high_score_low_margin, 95)
    TransactionFactory(
        customer=high_score_low_margin,
        amount=Decimal("100"),
        cost=Decimal("90"),
        occurred_at=timezone.now() - timedelta(days=20),
    )
    low_score_high_margin = reachable(tenant)
    give_score(low_score_high_margin, 5)
    TransactionFactory(
        customer=low_score_high_margin,
        amount=Decimal("500"),
        cost=Decimal("200"),
        occurred_at=timezone.now() - timedelta(days=20),
    )
    campaign = CampaignFactory(
        tenant=tenant, objective=Objective.UPSELL, cost_email=Decimal("1"), budget=Decimal("1")
    )
    start(campaign)
    rows = recipients(campaign)
    assert rows[low_score_high_margin.pk].group == RecipientGroup.TARGET
    assert rows[low_score_high_margin.pk].priority == Decimal("300")
    assert rows[high_score_low_margin.pk].reason == "over_budget"


def test_control_customers_beyond_the_budget_line_are_left_out_too(tenant_scope):
    """The control group is cut at the same rank as the contacted group, so both hold
    customers of the same value."""
    tenant = tenant_scope
    customers = []
    for score in range(100, 0, -5):  # 20 customers, 100 … 5
        customer = reachable(tenant)
        give_score(customer, score)
        customers.append(customer)
    campaign = CampaignFactory(
        tenant=tenant, control_percent=50, cost_email=Decimal("1"), budget=Decimal("3")
    )
    start(campaign)
    rows = recipients(campaign)
    kept = []
    targets = 0
    for customer in customers:  # walk down the ranking as the SQL does
        if in_control(campaign.pk, customer.pk, 50):
            kept.append(("control", customer.pk) if targets <= 3 else ("excluded", customer.pk))
        else:
            targets += 1
            kept.append(("target", customer.pk) if targets <= 3 else ("excluded", customer.pk))
    assert [(rows[pk].group, pk) for _group, pk in kept] == kept


def test_tier_audience_takes_the_customers_of_that_tier(tenant_scope):
    from segmentation.models import Tier

    tenant = tenant_scope
    peak = Tier.objects.filter(tenant=tenant).order_by("position").first()
    other = Tier.objects.filter(tenant=tenant).order_by("position").last()
    inside, outside = reachable(tenant), reachable(tenant)
    give_score(inside, 80, tier=peak)
    give_score(outside, 20, tier=other)
    campaign = CampaignFactory(tenant=tenant, audience_kind="tier", audience_tier=peak)
    start(campaign)
    assert set(recipients(campaign)) == {inside.pk}


def test_segment_audience_is_frozen_into_a_snapshot_at_the_start(tenant_scope):
    from segmentation.models import Segment, SegmentSnapshotMember

    tenant = tenant_scope
    segment = Segment.objects.create(
        tenant=tenant, name="Aktif müşteriler", lifecycle_stages=[LifecycleStage.ACTIVE]
    )
    active = reachable(tenant)
    reachable(tenant, lifecycle_stage=LifecycleStage.LAPSED)
    campaign = CampaignFactory(tenant=tenant, audience_kind="segment", segment=segment)
    started = start(campaign)
    assert started.snapshot is not None
    assert list(
        SegmentSnapshotMember.objects.filter(snapshot=started.snapshot).values_list(
            "customer_id", flat=True
        )
    ) == [active.pk]
    assert set(recipients(campaign)) == {active.pk}


def _next_best(customer, *products):
    from prediction.models import CustomerNextBest

    return CustomerNextBest.objects.create(
        tenant=customer.tenant,
        customer=customer,
        products=[product.pk for product in products],
        product_rules=[0] * len(products),
    )


def test_a_cross_sell_audience_is_whoever_has_the_product_among_their_next_best(tenant_scope):
    from tests.factories import ProductFactory

    tenant = tenant_scope
    kettle, toaster = ProductFactory(tenant=tenant), ProductFactory(tenant=tenant)
    first, second, other = reachable(tenant), reachable(tenant), reachable(tenant)
    _next_best(first, kettle)
    _next_best(second, toaster, kettle)
    _next_best(other, toaster)
    reachable(tenant)  # no suggestions at all

    campaign = start(
        CampaignFactory(
            tenant=tenant,
            objective=Objective.CROSS_SELL,
            audience_kind="next_best",
            audience_product=kettle,
        )
    )

    assert set(recipients(campaign)) == {first.pk, second.pk}
    assert campaign.start_summary["target"] == 2


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"objective": Objective.RETENTION}, "cross-sell"),
        ({"audience_product": None}, "product or category"),
        ({"foreign": True}, "does not belong"),
    ],
)
def test_a_next_best_audience_needs_cross_sell_and_an_item_of_the_company(
    tenant_scope, other_tenant, fields, message
):
    from django_scopes import scopes_disabled

    from tests.factories import ProductFactory

    with scopes_disabled():
        product = ProductFactory(
            tenant=other_tenant if fields.pop("foreign", False) else tenant_scope
        )
    values = {
        "name": "Çapraz",
        "objective": Objective.CROSS_SELL,
        "audience_kind": "next_best",
        "audience_product": product,
        "channels": [Channel.EMAIL],
        "body_tr": "Merhaba",
        "starts_at": timezone.now(),
        "ends_at": timezone.now() + timedelta(days=3),
        **fields,
    }
    with pytest.raises(services.CampaignError, match=message):
        services.campaign_create(tenant=tenant_scope, actor=None, **values)
