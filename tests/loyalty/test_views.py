"""The loyalty screens: panel, redeem with confirmation, coupon, adjust, statement, overview."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from loyalty.models import Coupon, CouponUse, Member, PointsEntry
from loyalty.services.coupons import coupon_batch_create
from loyalty.services.ledger import points_earn, points_release
from loyalty.services.overview import overview_figures_refresh
from loyalty.services.rewards import reward_redeem
from tests.customers.import_support import response_rows
from tests.loyalty.factories import RewardFactory, buy

pytestmark = pytest.mark.usefixtures("programme")


def url(name: str, tenant, **kwargs) -> str:
    return reverse(f"loyalty:{name}", kwargs={"tenant_slug": tenant.slug, **kwargs})


@pytest.fixture
def rich(tenant, ayse):
    """Ayşe with 200 available points (released) and 30 pending."""
    with scope(tenant=tenant):
        points_earn(tenant=tenant, transaction_ids=[buy(ayse, 200, days_ago=20).pk])
        points_release(tenant=tenant)
        points_earn(tenant=tenant, transaction_ids=[buy(ayse, 30, days_ago=1).pk])
    return ayse


def _balances(customer) -> tuple[int, int]:
    with scopes_disabled():
        member = Member.objects.get(customer=customer)
    return member.available, member.pending


def test_customer_page_shows_the_loyalty_panel(sales_client, tenant, rich):
    RewardFactory(tenant=tenant, name="Kahve makinesi", points_cost=150)

    response = sales_client.get(
        reverse("customers:detail", kwargs={"tenant_slug": tenant.slug, "customer_id": rich.pk})
    )

    body = response.content.decode()
    assert 'data-testid="points-available">200<' in body
    assert "Kahve makinesi" in body
    assert "Adjust points" not in body  # a manager's action


def test_redeem_asks_for_confirmation_first(sales_client, tenant, rich):
    reward = RewardFactory(tenant=tenant, name="Termos", points_cost=150)

    response = sales_client.get(url("redeem", tenant, customer_id=rich.pk, reward_id=reward.pk))

    assert "150 points will be taken" in response.content.decode()
    assert _balances(rich) == (200, 30)


def test_confirmed_redemption_takes_the_points_and_says_so(sales_client, tenant, rich):
    reward = RewardFactory(tenant=tenant, name="Termos", points_cost=150)
    target = url("redeem", tenant, customer_id=rich.pk, reward_id=reward.pk)

    response = sales_client.post(target, {"request_key": "k1"}, follow=True)
    sales_client.post(target, {"request_key": "k1"})  # the same confirmation again

    assert "Termos redeemed for 150 points." in response.content.decode()
    assert _balances(rich) == (50, 30)


def test_redemption_without_enough_points_changes_nothing(sales_client, tenant, rich):
    reward = RewardFactory(tenant=tenant, points_cost=500)

    response = sales_client.post(
        url("redeem", tenant, customer_id=rich.pk, reward_id=reward.pk),
        {"request_key": "k"},
        follow=True,
    )

    assert "Not enough points: 200 available, 500 needed." in response.content.decode()
    assert _balances(rich) == (200, 30)


def test_coupon_is_checked_then_used_on_confirmation(sales_client, tenant, rich):
    with scope(tenant=tenant):
        batch = coupon_batch_create(
            tenant=tenant, actor=None, name="B", discount_type="percent", value=Decimal("10")
        )
        code = Coupon.objects.get(batch=batch).code
    target = url("coupon", tenant, customer_id=rich.pk)

    check = sales_client.get(target, {"code": code.lower(), "spend": "250,00"})
    assert f"Coupon {code} gives a discount of 25.00" in check.content.decode()
    with scopes_disabled():
        assert not CouponUse.objects.exists()

    sales_client.post(target, {"code": code, "spend": "250,00"})
    with scopes_disabled():
        assert CouponUse.objects.get().discount == Decimal("25.00")


def test_an_unknown_coupon_is_a_form_error(sales_client, tenant, rich):
    response = sales_client.get(
        url("coupon", tenant, customer_id=rich.pk), {"code": "NOPE", "spend": "10"}
    )

    assert response.status_code == 200
    assert "No coupon has this code." in response.content.decode()


def test_adjustment_without_reason_is_a_form_error(manager_client, tenant, rich):
    response = manager_client.post(
        url("adjust", tenant, customer_id=rich.pk),
        {"points": "10", "reason": "", "request_key": "a"},
    )

    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert _balances(rich) == (200, 30)


def test_adjustment_is_recorded_with_who_did_it(manager_client, manager_user, tenant, rich):
    manager_client.post(
        url("adjust", tenant, customer_id=rich.pk),
        {"points": "-20", "reason": "Yanlış kayıt", "request_key": "a"},
    )

    with scopes_disabled():
        entry = PointsEntry.objects.get(kind="adjust")
    assert (entry.available_delta, entry.reason, entry.created_by) == (
        -20, "Yanlış kayıt", manager_user
    )  # fmt: skip
    assert _balances(rich) == (180, 30)


def test_statement_shows_the_running_balance(
    sales_client, tenant, rich, django_assert_max_num_queries
):
    with django_assert_max_num_queries(12):
        response = sales_client.get(url("statement", tenant, customer_id=rich.pk))

    rows = [
        (entry.kind, entry.running_available, entry.running_pending)
        for entry in response.context["entries"]
    ]
    assert rows == [("earn", 0, 200), ("release", 200, 0), ("earn", 200, 30)]


def test_statement_csv_has_every_entry_with_balances(manager_client, tenant, rich):
    response = manager_client.get(url("statement_csv", tenant, customer_id=rich.pk))

    rows = response_rows(response)
    assert [row[4:] for row in rows[1:]] == [
        ["0", "200", "0", "200"],
        ["200", "-200", "200", "0"],
        ["0", "30", "200", "30"],
    ]


def test_overview_figures_and_liability(manager_client, tenant, rich):
    reward = RewardFactory(tenant=tenant, points_cost=50)
    with scope(tenant=tenant):
        reward_redeem(
            tenant=tenant, actor=None, customer=rich, reward_id=reward.pk, request_key="x"
        )
        overview_figures_refresh(tenant=tenant)  # what the nightly run does

    overview = manager_client.get(url("overview", tenant)).context["overview"]

    # issued 230, redeemed 50, outstanding 150 + 30 = 180 points × 0.05 = 9.00 TRY
    assert (overview.members, overview.issued, overview.redeemed) == (1, 230, 50)
    assert (overview.outstanding_available, overview.outstanding_pending) == (150, 30)
    assert overview.liability == Decimal("9.00")
    assert overview.redemption_rate == Decimal("21.7")  # 50 / 230


def test_scratch_card_codes_csv_for_printing(manager_client, tenant):
    with scope(tenant=tenant):
        batch = coupon_batch_create(
            tenant=tenant, actor=None, name="Kart", discount_type="amount", value=5, size=25
        )

    rows = response_rows(manager_client.get(url("batch_codes", tenant, batch_id=batch.pk)))

    assert len(rows) == 26
    assert {row[1] for row in rows[1:]} == {"0"}


def test_leaving_asks_first_then_keeps_the_points_and_history(manager_client, tenant, rich):
    target = url("membership", tenant, customer_id=rich.pk)

    page = manager_client.get(target).content.decode()
    assert "no more points are earned" in page

    response = manager_client.post(target, {"request_key": "x"}, follow=True)

    assert "The customer has left the loyalty programme." in response.content.decode()
    with scopes_disabled():
        member = Member.objects.get(customer=rich)
        assert member.left_at is not None
        assert PointsEntry.objects.filter(member=member).count() == 3
    assert _balances(rich) == (200, 30)


def test_a_customer_who_left_can_enrol_again(manager_client, tenant, rich):
    target = url("membership", tenant, customer_id=rich.pk)
    manager_client.post(target, {"request_key": "x"})

    manager_client.post(target, {"request_key": "y"})

    with scopes_disabled():
        assert Member.objects.get(customer=rich).left_at is None
