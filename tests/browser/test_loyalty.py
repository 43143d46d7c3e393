"""Loyalty in a real browser: redeem a reward from the customer page, with confirmation."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from loyalty.models import Member
from loyalty.services.ledger import points_earn, points_release
from tests.browser.conftest import sign_in
from tests.factories import CustomerFactory
from tests.loyalty.factories import ProgrammeFactory, RewardFactory, buy

pytestmark = pytest.mark.django_db(transaction=True)


def test_sales_redeems_a_reward_from_the_customer_page(
    page, live_server, tenant, sales_user, console_errors
):
    ProgrammeFactory(tenant=tenant)
    customer = CustomerFactory(tenant=tenant, first_name="Ayşe", last_name="Yılmaz")
    RewardFactory(tenant=tenant, name="Termos", points_cost=150)
    with scope(tenant=tenant):
        points_earn(tenant=tenant, transaction_ids=[buy(customer, 200, days_ago=20).pk])
        points_release(tenant=tenant)
    page_url = reverse(
        "customers:detail", kwargs={"tenant_slug": tenant.slug, "customer_id": customer.pk}
    )
    sign_in(page, live_server, sales_user)
    page.goto(live_server.url + page_url)
    assert page.get_by_test_id("points-available").inner_text() == "200"

    page.get_by_role("link", name="Redeem").click()
    assert "150 points will be taken" in page.content()
    page.get_by_role("button", name="Redeem").click()

    page.wait_for_url(f"**/customers/{customer.pk}/")
    assert "Termos redeemed for 150 points." in page.content()
    assert page.get_by_test_id("points-available").inner_text() == "50"
    with scopes_disabled():
        assert Member.objects.get(customer=customer).available == 50
    assert console_errors == []
