"""Cashback: once per customer and period, however often it runs."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from loyalty.models import CashbackAward, CashbackRule, Coupon, Member, PointsEntry
from loyalty.services.cashback import cashback_award, previous_period
from loyalty.services.coupons import coupon_batch_create
from loyalty.services.ledger import points_earn
from tests.factories import CustomerFactory, TransactionFactory

pytestmark = pytest.mark.usefixtures("tenant_scope", "programme")


@pytest.mark.parametrize(
    ("period", "today", "expected"),
    [
        ("month", date(2026, 11, 15), (date(2026, 10, 1), date(2026, 11, 1))),
        ("month", date(2026, 1, 10), (date(2025, 12, 1), date(2026, 1, 1))),
        ("quarter", date(2026, 11, 15), (date(2026, 7, 1), date(2026, 10, 1))),
        ("quarter", date(2026, 2, 1), (date(2025, 10, 1), date(2026, 1, 1))),
    ],
)
def test_previous_period(period, today, expected):
    assert previous_period(period=period, today=today) == expected


def _spend(customer, amount, when):
    return TransactionFactory(
        customer=customer, tenant=customer.tenant, amount=Decimal(amount), occurred_at=when
    )


@pytest.fixture
def october_buyers(tenant):
    big, small = CustomerFactory(tenant=tenant), CustomerFactory(tenant=tenant)
    sales = [
        _spend(big, "300", datetime(2026, 10, 3, 9, tzinfo=UTC)),
        _spend(big, "250", datetime(2026, 10, 30, 9, tzinfo=UTC)),
        _spend(big, "900", datetime(2026, 11, 2, 9, tzinfo=UTC)),  # next month
        _spend(small, "400", datetime(2026, 10, 5, 9, tzinfo=UTC)),
    ]
    points_earn(tenant=tenant, transaction_ids=[sale.pk for sale in sales])
    return big, small


def test_points_cashback_once_per_period_even_when_run_twice(tenant, october_buyers):
    big, _small = october_buyers
    rule = CashbackRule.objects.create(
        tenant=tenant, name="Ekim", threshold=Decimal("500"), points=100
    )

    first = cashback_award(tenant=tenant, rule=rule, today=date(2026, 11, 15))
    second = cashback_award(tenant=tenant, rule=rule, today=date(2026, 11, 20))

    assert (first, second) == (1, 0)
    award = CashbackAward.objects.get()
    assert (award.customer, award.spent, award.period_start) == (
        big, Decimal("550.00"), date(2026, 10, 1)
    )  # fmt: skip
    assert Member.objects.get(customer=big).available == 100
    assert PointsEntry.objects.filter(source="cashback").count() == 1


def test_coupon_cashback_issues_one_coupon_for_the_customer(tenant, october_buyers):
    big, _small = october_buyers
    terms = coupon_batch_create(
        tenant=tenant, actor=None, name="Cashback", discount_type="amount", value=Decimal("25")
    )
    rule = CashbackRule.objects.create(
        tenant=tenant, name="Ekim", threshold=Decimal("500"), coupon_batch=terms
    )

    cashback_award(tenant=tenant, rule=rule, today=date(2026, 11, 15))
    cashback_award(tenant=tenant, rule=rule, today=date(2026, 11, 15))

    coupon = Coupon.objects.get(customer=big)
    assert CashbackAward.objects.get().coupon == coupon
