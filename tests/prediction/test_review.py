"""The relationship review: each rule with its thresholds, the cost-to-serve arithmetic, and
the decisions (audited; ending the relationship through the customers service)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone
from django_scopes import scopes_disabled

from campaigns.models import Channel, Recipient, RecipientGroup, RecipientStatus
from crm.models import AuditEntry
from customers.models import LifecycleStage, TransactionStatus
from loyalty.models import Coupon, CouponBatch, CouponUse, Member, Reward, RewardRedemption
from prediction.models import DecisionAction, RelationshipDecision, RelationshipFlag
from prediction.services import PredictionError, settings_for
from prediction.services.review import relationship_decide, relationship_review_refresh
from tests.campaigns.factories import CampaignFactory
from tests.factories import (
    CustomerFactory,
    FeedbackFactory,
    InteractionFactory,
    ProductFactory,
    TransactionFactory,
)

pytestmark = pytest.mark.django_db


def days_ago(n: int):
    return timezone.now() - timedelta(days=n)


@pytest.fixture
def costs(tenant):
    with scopes_disabled():
        settings = settings_for(tenant=tenant)
        settings.cost_per_contact = Decimal("25.00")
        settings.cost_per_order = Decimal("10.00")
        settings.cost_per_complaint = Decimal("50.00")
        settings.cost_per_reward = Decimal("30.00")
        settings.cost_per_coupon = Decimal("5.00")
        settings.save()
    return settings


def flag_of(customer):
    with scopes_disabled():
        return RelationshipFlag.objects.filter(customer=customer).first()


def sale(customer, amount="100", cost="60", days=10, **kwargs):
    return TransactionFactory(
        customer=customer,
        amount=Decimal(amount),
        cost=Decimal(cost) if cost else None,
        occurred_at=days_ago(days),
        **kwargs,
    )


def test_cost_to_serve_and_unprofitable(tenant, costs):
    customer = CustomerFactory(tenant=tenant)
    sale(customer, "100", "60")  # margin 40
    sale(customer, "100", "70")  # margin 30
    for _ in range(3):
        InteractionFactory(customer=customer, occurred_at=days_ago(5))
    FeedbackFactory(customer=customer, opened_at=days_ago(5))
    # cost to serve = 3 × 25 + 2 × 10 + 1 × 50 = 145; profit = 70 − 145 = −75

    relationship_review_refresh(tenant=tenant)

    flag = flag_of(customer)
    assert flag.rules == ["unprofitable"]
    assert flag.profit == Decimal("-75.00")
    assert flag.evidence["cost_to_serve"] == "145.00"
    assert flag.evidence["margin"] == "70.00"


def test_cost_to_serve_counts_campaign_contacts_rewards_and_coupons(tenant, costs):
    customer = CustomerFactory(tenant=tenant)
    other = CustomerFactory(tenant=tenant)
    sale(customer, "300", "100")  # margin 200
    campaign = CampaignFactory(tenant=tenant)
    with scopes_disabled():
        for cost, sent, when in (("12.50", True, 3), ("7.50", True, 20), ("9.00", False, 3)):
            Recipient.objects.create(
                tenant=tenant,
                campaign=campaign,
                customer=customer,
                occurrence=f"t{cost}",
                group=RecipientGroup.TARGET,
                channel=Channel.EMAIL,
                cost=Decimal(cost),
                status=RecipientStatus.SENT if sent else RecipientStatus.FAILED,
                sent_at=days_ago(when) if sent else None,
            )
        # Held out as control: no contact, no cost.
        Recipient.objects.create(
            tenant=tenant, campaign=campaign, customer=other, group=RecipientGroup.CONTROL
        )
        member = Member.objects.create(tenant=tenant, customer=customer)
        reward = Reward.objects.create(tenant=tenant, name="Kupa", points_cost=100)
        for when in (2, 4, 400):  # the last one is outside the window
            RewardRedemption.objects.create(
                tenant=tenant, reward=reward, member=member, points=100, created_at=days_ago(when)
            )
        batch = CouponBatch.objects.create(tenant=tenant, name="Bahar", value=Decimal("10"))
        coupon = Coupon.objects.create(tenant=tenant, batch=batch, code="BAHAR1", max_uses=5)
        for _ in range(3):
            CouponUse.objects.create(
                tenant=tenant,
                coupon=coupon,
                customer=customer,
                spend=Decimal("100"),
                discount=Decimal("10"),
                used_at=days_ago(6),
            )
    # cost to serve = 1 order × 10 + campaign (12.50 + 7.50, the failed one not sent)
    #               + 2 rewards × 30 + 3 coupons × 5 = 10 + 20 + 60 + 15 = 105
    # profit = 200 − 105 = 95: not flagged. Raise the reward cost to 100: 10 + 20 + 200 + 15
    #        = 245, profit −45.
    relationship_review_refresh(tenant=tenant)
    assert flag_of(customer) is None

    costs.cost_per_reward = Decimal("100.00")
    with scopes_disabled():
        costs.save()
    relationship_review_refresh(tenant=tenant)

    flag = flag_of(customer)
    assert flag.rules == ["unprofitable"]
    assert flag.profit == Decimal("-45.00")
    assert flag.evidence["cost_to_serve"] == "245.00"
    assert flag.evidence["campaign_contacts"] == 2
    assert flag.evidence["campaign_cost"] == "20.00"
    assert flag.evidence["rewards"] == 2
    assert flag.evidence["coupons"] == 3
    assert flag_of(other) is None


def test_the_refresh_leaves_statistics_of_its_flags_for_the_review_page(tenant, costs):
    # The page reads the most unprofitable flags through the flag_profit index only when the
    # planner knows how many flags there are (it sorted all of them on stale statistics).
    for _ in range(3):
        sale(CustomerFactory(tenant=tenant), "100", "95")

    flagged = relationship_review_refresh(tenant=tenant)

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples FROM pg_class WHERE oid = 'prediction_relationshipflag'::regclass"
        )
        assert cursor.fetchone()[0] == flagged == 3


def test_a_profitable_customer_is_not_flagged(tenant, costs):
    customer = CustomerFactory(tenant=tenant)
    sale(customer, "500", "100")

    relationship_review_refresh(tenant=tenant)

    assert flag_of(customer) is None


def test_activity_outside_the_window_does_not_count(tenant, costs):
    customer = CustomerFactory(tenant=tenant)
    sale(customer, "100", "100", days=400)  # window 365 days

    relationship_review_refresh(tenant=tenant)

    assert flag_of(customer) is None


def test_serial_complainer_needs_enough_complaints_per_purchase(tenant, costs):
    complainer, occasional = CustomerFactory(tenant=tenant), CustomerFactory(tenant=tenant)
    for customer in (complainer, occasional):
        sale(customer, "1000", "100")
        sale(customer, "1000", "100")
    for _ in range(3):  # 3 complaints / 2 purchases = 1.5 > 0.5, and at least 3
        FeedbackFactory(customer=complainer, opened_at=days_ago(3))
    for _ in range(2):  # 2 / 2 = 1.0 > 0.5 but fewer than 3
        FeedbackFactory(customer=occasional, opened_at=days_ago(3))

    relationship_review_refresh(tenant=tenant)

    assert flag_of(complainer).rules == ["serial_complainer"]
    assert flag_of(occasional) is None


def test_late_payer_needs_a_late_share_and_days(tenant, costs):
    late, slightly = CustomerFactory(tenant=tenant), CustomerFactory(tenant=tenant)
    today = timezone.localdate()
    for customer, days_late in ((late, 30), (slightly, 5)):
        for _ in range(2):
            sale(
                customer,
                "1000",
                "100",
                due_date=today - timedelta(days=60),
                paid_date=today - timedelta(days=60 - days_late),
            )
        sale(
            customer,
            "1000",
            "100",
            due_date=today - timedelta(days=60),
            paid_date=today - timedelta(days=61),
        )

    relationship_review_refresh(tenant=tenant)

    flag = flag_of(late)  # 2 of 3 late (0.67 > 0.5), 30 days on average (> 15)
    assert flag.rules == ["late_payer"]
    assert (flag.evidence["late"], flag.evidence["invoices"]) == (2, 3)
    assert flag.evidence["days_late"] == "30.0"
    assert flag_of(slightly) is None  # 5 days late on average


def test_deal_seeker_buys_mostly_well_below_list_price(tenant, costs):
    product = ProductFactory(tenant=tenant, list_price=Decimal("100.00"))
    seeker = CustomerFactory(tenant=tenant)
    for _ in range(4):  # 70 < 100 × (1 − 20 %) = 80: a deal
        sale(seeker, "70", "10", product=product)
    sale(seeker, "90", "10", product=product)  # 4 of 5 = 0.8, not above 0.8
    relationship_review_refresh(tenant=tenant)
    assert flag_of(seeker) is None

    sale(seeker, "70", "10", product=product)  # 5 of 6 = 0.83 > 0.8
    relationship_review_refresh(tenant=tenant)
    assert flag_of(seeker).rules == ["deal_seeker"]


def test_deal_seeker_buys_mostly_after_campaigns_or_with_coupons(tenant, costs):
    seeker, held_out = CustomerFactory(tenant=tenant), CustomerFactory(tenant=tenant)
    campaign = CampaignFactory(tenant=tenant, attribution_days=30)
    with scopes_disabled():
        Recipient.objects.create(
            tenant=tenant,
            campaign=campaign,
            customer=seeker,
            group=RecipientGroup.TARGET,
            channel=Channel.EMAIL,
            status=RecipientStatus.SENT,
            sent_at=days_ago(40),
        )
        Recipient.objects.create(
            tenant=tenant, campaign=campaign, customer=held_out, group=RecipientGroup.CONTROL
        )
        batch = CouponBatch.objects.create(tenant=tenant, name="Bahar", value=Decimal("10"))
        coupon = Coupon.objects.create(tenant=tenant, batch=batch, code="BAHAR2", max_uses=5)

    def use_coupon(customer):
        with scopes_disabled():
            CouponUse.objects.create(
                tenant=tenant,
                coupon=coupon,
                customer=customer,
                spend=Decimal("1000"),
                discount=Decimal("10"),
                used_at=days_ago(2),
            )

    # Full price (no list price known): 3 bought within the 30 days after the contact 40
    # days ago (days 38, 30, 15), 3 after the window closed (days 5, 3, 1).
    for customer in (seeker, held_out):
        for days in (38, 30, 15, 5, 3, 1):
            sale(customer, "1000", "100", days=days)
        use_coupon(customer)
    # seeker: 3 after the campaign + 1 coupon = 4 of 6 = 0.67, not above 0.8
    relationship_review_refresh(tenant=tenant)
    assert flag_of(seeker) is None

    use_coupon(seeker)  # 3 + 2 = 5 of 6 = 0.83 > 0.8
    use_coupon(held_out)  # held out of the campaign: 2 coupons of 6 = 0.33
    relationship_review_refresh(tenant=tenant)

    flag = flag_of(seeker)
    assert flag.rules == ["deal_seeker"]
    assert flag.evidence["campaign_purchases"] == 3
    assert flag.evidence["coupons"] == 2
    assert flag.evidence["deal_purchases"] == 5
    assert flag_of(held_out) is None


def test_suspected_fraud_on_many_refunds(tenant, costs):
    customer = CustomerFactory(tenant=tenant)
    sale(customer, "1000", "100")
    sale(customer, "1000", "100")
    for _ in range(3):  # 3 refunds of 5 = 0.6 > 0.3, and at least 3
        sale(customer, "500", "100", status=TransactionStatus.REFUNDED)

    relationship_review_refresh(tenant=tenant)

    assert flag_of(customer).rules == ["suspected_fraud"]


def test_terminated_customers_are_not_reviewed(tenant, costs):
    customer = CustomerFactory(
        tenant=tenant, lifecycle_stage=LifecycleStage.TERMINATED, termination_reason="Eski"
    )
    sale(customer, "100", "100")

    relationship_review_refresh(tenant=tenant)

    assert flag_of(customer) is None


def test_ending_a_relationship_terminates_the_customer_and_audits_it(
    tenant_scope, tenant, costs, manager_user
):
    customer = CustomerFactory(tenant=tenant)
    sale(customer, "100", "100")
    relationship_review_refresh(tenant=tenant)

    decision = relationship_decide(
        tenant=tenant,
        actor=manager_user,
        customer=customer,
        action=DecisionAction.TERMINATE,
        reason="Zarar ettiriyor",
    )

    customer.refresh_from_db()
    assert customer.lifecycle_stage == LifecycleStage.TERMINATED
    assert customer.termination_reason == "Zarar ettiriyor"
    assert decision.rules == ["unprofitable"]
    assert flag_of(customer) is None
    with scopes_disabled():
        actions = set(
            AuditEntry.objects.filter(tenant=tenant, object_id=str(customer.pk)).values_list(
                "action", flat=True
            )
        )
    assert {"prediction.relationship.decided", "customers.lifecycle.changed"} <= actions


def test_other_decisions_leave_the_customer_as_is(tenant, costs, manager_user):
    customer = CustomerFactory(tenant=tenant)

    relationship_decide(
        tenant=tenant,
        actor=manager_user,
        customer=customer,
        action=DecisionAction.RAISE_PRICE,
        reason="Fiyat %10 artacak",
    )

    customer.refresh_from_db()
    assert customer.lifecycle_stage != LifecycleStage.TERMINATED
    with scopes_disabled():
        assert RelationshipDecision.objects.get(customer=customer).action == "raise_price"


def test_a_decision_needs_a_reason(tenant, manager_user):
    customer = CustomerFactory(tenant=tenant)
    with pytest.raises(PredictionError):
        relationship_decide(
            tenant=tenant,
            actor=manager_user,
            customer=customer,
            action=DecisionAction.KEEP,
            reason="   ",
        )


def test_a_customer_of_another_tenant_is_refused(tenant, other_tenant, manager_user):
    stranger = CustomerFactory(tenant=other_tenant)
    with pytest.raises(PredictionError):
        relationship_decide(
            tenant=tenant,
            actor=manager_user,
            customer=stranger,
            action=DecisionAction.KEEP,
            reason="x",
        )
