"""Loyalty's value key in the recompute: rewards redeemed, valued in currency, in the key's
window only (expected values worked out by hand next to each assertion)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django_scopes import scopes_disabled

from loyalty.models import Member, RewardRedemption
from segmentation.metrics import METRICS
from segmentation.models import CustomerScore
from segmentation.services import scores_recompute
from tests.loyalty.factories import ProgrammeFactory, RewardFactory
from tests.segmentation.factories import NOW, buy, customer, use_keys, use_tiers

pytestmark = pytest.mark.django_db


def redeemed(who, points: int, *, days_ago: int) -> None:
    with scopes_disabled():
        member, _ = Member.objects.get_or_create(tenant=who.tenant, customer=who)
        RewardRedemption.objects.create(
            tenant=who.tenant,
            reward=RewardFactory(tenant=who.tenant, points_cost=points),
            member=member,
            points=points,
            created_at=NOW - timedelta(days=days_ago),
        )


def scores(tenant) -> dict[int, CustomerScore]:
    with scopes_disabled():
        return {row.customer_id: row for row in CustomerScore.objects.filter(tenant=tenant)}


def test_rewards_redeemed_is_registered_in_segmentations_catalogue():
    assert METRICS["rewards_redeemed"].query is not None


def test_rewards_redeemed_values_the_windows_redemptions_at_the_point_value(tenant):
    ProgrammeFactory(tenant=tenant, point_value=Decimal("0.05"))
    use_keys(tenant, ("rewards_redeemed", -1, "min_max", 365))
    use_tiers(tenant, 50, 50)
    spender, thrifty, old_spender = customer(tenant), customer(tenant), customer(tenant)
    for who in (spender, thrifty, old_spender):
        buy(who, 100)
    redeemed(spender, 100, days_ago=10)
    redeemed(spender, 300, days_ago=20)
    redeemed(old_spender, 1000, days_ago=400)  # before the 365-day window
    redeemed(spender, 50, days_ago=-1)  # after the run's time: not seen

    scores_recompute(tenant=tenant, now=NOW)

    result = scores(tenant)
    # (100 + 300) points × 0.05 = 20.00; the others redeemed nothing in the window: 0.
    assert [result[who.pk].raw_values for who in (spender, thrifty, old_spender)] == [
        [20.0],
        [0.0],
        [0.0],
    ]
    # A penalty with min–max: the spender is at the max (x = 1) and adds 100 × (1 − 1) = 0;
    # the others are at the min (x = 0) and add 100 × (1 − 0) = 100.
    assert [result[who.pk].score for who in (spender, thrifty, old_spender)] == [
        Decimal("0.0000"),
        Decimal("100.0000"),
        Decimal("100.0000"),
    ]


def test_rewards_redeemed_are_not_read_from_another_tenant(tenant, other_tenant):
    ProgrammeFactory(tenant=tenant, point_value=Decimal("1"))
    ProgrammeFactory(tenant=other_tenant, point_value=Decimal("1"))
    use_keys(tenant, ("rewards_redeemed", 1, "min_max", 365))
    use_tiers(tenant, 100)
    mine = customer(tenant)
    buy(mine, 100)
    stranger = customer(other_tenant)
    redeemed(stranger, 500, days_ago=5)

    scores_recompute(tenant=tenant, now=NOW)

    assert scores(tenant)[mine.pk].raw_values == [0.0]
