"""Equal revenues tie (issue 14): money metrics are summed exactly, so the order in which a
customer's purchases are read, and amounts whose float sums differ, never split a tie."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django_scopes import scopes_disabled

from segmentation.models import CustomerScore
from segmentation.services import scores_recompute
from tests.segmentation.factories import buy, customer, use_keys, use_tiers

pytestmark = pytest.mark.django_db


def _scores(tenant):
    with scopes_disabled():
        return {
            row.customer_id: row
            for row in CustomerScore.objects.filter(tenant=tenant).order_by("customer_id")
        }


@pytest.mark.parametrize("metric", ["revenue", "average_order_value"])
def test_same_purchases_in_another_order_get_the_same_score(tenant, now, metric):
    # In float8, (0.1 + 0.2) + 0.3 = 0.6000000000000001 but (0.3 + 0.2) + 0.1 = 0.6: the rows
    # are written (and scanned) in these orders.
    use_keys(tenant, (metric, 1, "percentile"))
    use_tiers(tenant, 100)
    first, second, top = customer(tenant), customer(tenant), customer(tenant)
    for amount in ("0.10", "0.20", "0.30"):
        buy(first, amount)
    for amount in ("0.30", "0.20", "0.10"):
        buy(second, amount)
    buy(top, "5.00")

    scores_recompute(tenant=tenant, now=now)

    scores = _scores(tenant)
    # Revenue 0.60, 0.60, 5.00: the tie group holds ranks 1–2 of 3, mid-rank 0.5 → 0.5 / 2
    # = 0.25 → 25 points of 100; the top customer is rank 3 → 100 points. (Average order
    # value 0.20, 0.20, 5.00: the same ranks.)
    assert scores[first.pk].score == scores[second.pk].score == Decimal("25.0000")
    assert scores[top.pk].score == Decimal("100.0000")
    assert scores[first.pk].raw_values == scores[second.pk].raw_values


def test_sums_that_float_would_split_tie_with_a_single_equal_amount(tenant, now):
    # 0.1 + 0.2 is 0.30000000000000004 in float8, against a single purchase of 0.3.
    use_keys(tenant, ("revenue", 1, "percentile"))
    use_tiers(tenant, 100)
    split, whole, top = customer(tenant), customer(tenant), customer(tenant)
    buy(split, "0.10")
    buy(split, "0.20")
    buy(whole, "0.30")
    buy(top, "1.30")

    scores_recompute(tenant=tenant, now=now)

    scores = _scores(tenant)
    # 0.30, 0.30, 1.30: one tie group at ranks 1–2 (mid-rank 0.5 of 2 → 25 points), then 100.
    assert scores[split.pk].score == scores[whole.pk].score == Decimal("25.0000")
    assert scores[split.pk].raw_values == scores[whole.pk].raw_values == [0.3]
    assert scores[top.pk].score == Decimal("100.0000")
