"""Real concurrent database transactions (threads, each with its own connection): the same
points cannot be spent twice, and the last item of a reward goes to one member only."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.utils import translation
from django_scopes import scope, scopes_disabled

from loyalty.models import Member, PointsEntry, Reward, RewardRedemption
from loyalty.services import LoyaltyError
from loyalty.services.ledger import points_earn, points_release
from loyalty.services.rewards import reward_redeem
from tests.factories import CustomerFactory
from tests.loyalty.factories import RewardFactory, buy

pytestmark = pytest.mark.django_db(transaction=True)


def _rich_member(tenant, amount):
    customer = CustomerFactory(tenant=tenant)
    with scope(tenant=tenant):
        points_earn(tenant=tenant, transaction_ids=[buy(customer, amount, days_ago=20).pk])
        points_release(tenant=tenant)
    return customer


def _redeem_at_once(tenant, attempts: list[tuple]) -> list[str]:
    """Run reward_redeem for each (customer, reward, key) in its own thread, all released
    together by a barrier; return 'ok' or the error per attempt."""
    barrier = threading.Barrier(len(attempts))
    outcomes: list[str] = [""] * len(attempts)

    def attempt(index: int, customer, reward, key: str) -> None:
        try:
            with scope(tenant=tenant), translation.override("en"):  # per thread
                barrier.wait(timeout=10)
                reward_redeem(
                    tenant=tenant, actor=None, customer=customer, reward_id=reward.pk,
                    request_key=key,
                )  # fmt: skip
            outcomes[index] = "ok"
        except LoyaltyError as exc:
            outcomes[index] = str(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=attempt, args=(index, *args)) for index, args in enumerate(attempts)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def test_two_redemptions_of_the_same_points_at_once_one_succeeds(tenant, programme):
    customer = _rich_member(tenant, 150)
    reward = RewardFactory(tenant=tenant, points_cost=100)

    outcomes = _redeem_at_once(tenant, [(customer, reward, "a"), (customer, reward, "b")])

    assert sorted(outcomes) == ["Not enough points: 50 available, 100 needed.", "ok"]
    with scopes_disabled():
        assert Member.objects.get(customer=customer).available == 50
        assert PointsEntry.objects.filter(kind="redeem").count() == 1


def test_the_same_confirmation_sent_twice_at_once_redeems_once(tenant, programme):
    customer = _rich_member(tenant, 500)
    reward = RewardFactory(tenant=tenant, points_cost=100)

    outcomes = _redeem_at_once(tenant, [(customer, reward, "same"), (customer, reward, "same")])

    assert sorted(outcomes) == ["This redemption was already made.", "ok"]
    with scopes_disabled():
        assert Member.objects.get(customer=customer).available == 400


def test_the_last_item_of_a_reward_goes_to_one_member(tenant, programme):
    first, second = _rich_member(tenant, 500), _rich_member(tenant, 500)
    reward = RewardFactory(tenant=tenant, points_cost=100, stock=1)

    outcomes = _redeem_at_once(tenant, [(first, reward, "1"), (second, reward, "2")])

    assert sorted(outcomes) == ["This reward is out of stock.", "ok"]
    with scopes_disabled():
        assert Reward.objects.get(pk=reward.pk).stock == 0
        assert RewardRedemption.objects.count() == 1
        # The loser kept their points: the failed redemption rolled back entirely.
        assert sorted(Member.objects.values_list("available", flat=True)) == [400, 500]


def test_a_single_use_coupon_used_twice_at_once_works_once(tenant, programme):
    from decimal import Decimal

    from loyalty.models import Coupon, CouponUse
    from loyalty.services.coupons import coupon_batch_create, coupon_redeem

    customer = CustomerFactory(tenant=tenant)
    with scope(tenant=tenant):
        batch = coupon_batch_create(
            tenant=tenant, actor=None, name="Tek", discount_type="amount", value=Decimal("20")
        )
        code = Coupon.objects.get(batch=batch).code
    barrier = threading.Barrier(2)
    outcomes: list[str] = ["", ""]

    def attempt(index: int) -> None:
        try:
            with scope(tenant=tenant), translation.override("en"):
                barrier.wait(timeout=10)
                coupon_redeem(
                    tenant=tenant, actor=None, code=code, customer=customer, spend=Decimal("50")
                )
            outcomes[index] = "ok"
        except LoyaltyError as exc:
            outcomes[index] = str(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(index,)) for index in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["This coupon has already been used.", "ok"]
    with scopes_disabled():
        assert Coupon.objects.get(code=code).uses == 1
        assert CouponUse.objects.count() == 1


def test_two_earnings_of_the_same_purchases_at_once_earn_once(tenant, programme, monkeypatch):
    # Both take the fast path (no sample): the second one waits for the first's new members
    # (or keys), rolls back once the first commits, and its safe path with ON CONFLICT earns
    # nothing more.
    from loyalty import sql

    monkeypatch.setattr(sql, "EARNED_SAMPLE", "SELECT false")
    customers = [CustomerFactory(tenant=tenant) for _ in range(3)]
    sales = [buy(customer, 100).pk for customer in customers for _ in range(2)]
    barrier = threading.Barrier(2)
    results: list = [None, None]

    def attempt(index: int) -> None:
        try:
            with scope(tenant=tenant):
                barrier.wait(timeout=10)
                results[index] = points_earn(tenant=tenant, transaction_ids=sales)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(index,)) for index in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(result.entries for result in results) == [0, 6]
    with scopes_disabled():
        assert PointsEntry.objects.filter(kind="earn").count() == 6
        assert sorted(Member.objects.values_list("pending", flat=True)) == [200, 200, 200]


def test_two_sales_of_a_new_customer_earned_at_once_both_earn(tenant, programme, monkeypatch):
    # The second earning's member insert waits for the first's and skips the customer; its
    # statement's snapshot does not see that member, so it rolls back and takes the safe
    # path, which does: both sales earn once, and the balance is the ledger's.
    from loyalty import sql

    monkeypatch.setattr(sql, "EARNED_SAMPLE", "SELECT false")
    customer = CustomerFactory(tenant=tenant)
    sales = [buy(customer, 100).pk, buy(customer, 30).pk]
    barrier = threading.Barrier(2)

    def attempt(sale: int) -> None:
        try:
            with scope(tenant=tenant):
                barrier.wait(timeout=10)
                points_earn(tenant=tenant, transaction_ids=[sale])
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(sale,)) for sale in sales]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    with scopes_disabled():
        assert PointsEntry.objects.filter(kind="earn").count() == 2
        assert Member.objects.get(customer=customer).pending == 130
