"""The customer list's activity (CustomerActivity): what the refresh computes, when it runs, and
the list's revenue, last purchase and last contact columns, sorts and the "not contacted" filter."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from crm.whole_tenant import nested_loops_over_aggregates
from customers import services
from customers.activity import (
    ACTIVITY_INPUT_TABLES,
    customer_activity_refresh,
    customer_activity_refresh_plan,
)
from customers.models import CustomerActivity, TransactionKind, TransactionStatus
from tests.factories import CustomerFactory, InteractionFactory, TransactionFactory
from tests.planner_support import statistics_reset
from tests.segmentation.test_planning import _bulk_load

pytestmark = pytest.mark.django_db


def _url(tenant) -> str:
    return reverse("customers:list", kwargs={"tenant_slug": tenant.slug})


def _activity(customer) -> CustomerActivity:
    with scopes_disabled():
        return CustomerActivity.objects.get(customer=customer)


def test_refresh_sums_completed_purchases_of_the_last_twelve_months(tenant, customer):
    now = timezone.now()
    TransactionFactory(
        customer=customer, amount=Decimal("1000.00"), occurred_at=now - timedelta(days=400)
    )
    TransactionFactory(
        customer=customer, amount=Decimal("250.50"), occurred_at=now - timedelta(days=30)
    )
    TransactionFactory(
        customer=customer, amount=Decimal("99.50"), occurred_at=now - timedelta(days=2)
    )
    TransactionFactory(  # refunded: not revenue, not a purchase
        customer=customer,
        amount=Decimal("500.00"),
        occurred_at=now - timedelta(days=1),
        status=TransactionStatus.REFUNDED,
    )
    TransactionFactory(  # a cost share is not a purchase
        customer=customer, amount=Decimal("70.00"), occurred_at=now, kind=TransactionKind.COST_SHARE
    )
    InteractionFactory(customer=customer, occurred_at=now - timedelta(days=5))
    InteractionFactory(customer=customer, occurred_at=now - timedelta(days=9))
    customer_activity_refresh(tenant=tenant, now=now)
    activity = _activity(customer)
    assert activity.revenue_window == Decimal("350.00")  # 250.50 + 99.50
    assert activity.last_purchase_at == now - timedelta(days=2)
    assert activity.last_contact_at == now - timedelta(days=5)


def test_a_customer_without_history_gets_an_empty_row(tenant, customer):
    customer_activity_refresh(tenant=tenant)
    activity = _activity(customer)
    assert (activity.revenue_window, activity.last_purchase_at, activity.last_contact_at) == (
        Decimal("0.00"),
        None,
        None,
    )


def test_a_second_refresh_writes_nothing_when_nothing_changed(tenant, customer):
    TransactionFactory(customer=customer)
    assert customer_activity_refresh(tenant=tenant) == 1
    assert customer_activity_refresh(tenant=tenant) == 0


def test_refresh_leaves_other_tenants_alone(tenant, customer, other_customer):
    customer_activity_refresh(tenant=tenant)
    with scopes_disabled():
        assert not CustomerActivity.objects.filter(customer=other_customer).exists()


def test_logging_a_contact_moves_the_last_contact(tenant, customer, sales_user):
    with scopes_disabled():
        contact = services.interaction_log(
            tenant=tenant, actor=sales_user, customer=customer, channel="phone", subject="Arama"
        )
    assert _activity(customer).last_contact_at == contact.occurred_at


def test_a_recorded_sale_moves_revenue_and_last_purchase(
    tenant, customer, sales_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), scopes_disabled():
        sale = services.transaction_record(
            tenant=tenant, actor=sales_user, customer=customer, amount=Decimal("1250.00")
        )
    activity = _activity(customer)
    assert activity.revenue_window == Decimal("1250.00")
    assert activity.last_purchase_at == sale.occurred_at


@pytest.fixture
def three(tenant):
    now = timezone.now()
    a = CustomerFactory(tenant=tenant, first_name="Ada", last_name="Bir")
    b = CustomerFactory(tenant=tenant, first_name="Banu", last_name="İki")
    c = CustomerFactory(tenant=tenant, first_name="Cem", last_name="Üç")
    TransactionFactory(customer=a, amount=Decimal("300.00"), occurred_at=now - timedelta(days=50))
    TransactionFactory(customer=b, amount=Decimal("900.00"), occurred_at=now - timedelta(days=5))
    InteractionFactory(customer=a, occurred_at=now - timedelta(days=100))
    InteractionFactory(customer=b, occurred_at=now - timedelta(days=1))
    customer_activity_refresh(tenant=tenant)
    return a, b, c


def _order(content: str) -> list[str]:
    table = content[content.index("<tbody>") :]
    return sorted(["Ada Bir", "Banu İki", "Cem Üç"], key=table.index)


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("-revenue", ["Banu İki", "Ada Bir", "Cem Üç"]),
        ("-last_purchase", ["Banu İki", "Ada Bir", "Cem Üç"]),
        ("-last_contact", ["Banu İki", "Ada Bir", "Cem Üç"]),
        ("last_contact", ["Cem Üç", "Ada Bir", "Banu İki"]),  # never contacted first
    ],
)
def test_the_list_sorts_by_activity(sales_client, tenant, three, sort, expected):
    assert _order(sales_client.get(_url(tenant), {"sort": sort}).content.decode()) == expected


def test_the_list_shows_revenue_and_dates(sales_client, tenant, three):
    content = sales_client.get(_url(tenant)).content.decode()
    assert "Revenue (12 months)" in content and "Last contact" in content
    assert "900.00" in content or "900,00" in content


def test_not_contacted_for_keeps_the_quiet_and_the_never_contacted(sales_client, tenant, three):
    content = sales_client.get(_url(tenant), {"quiet": "60"}).content.decode()
    assert "Ada Bir" in content and "Cem Üç" in content
    assert "Banu İki" not in content


def test_not_contacted_for_rejects_nonsense_without_a_500(sales_client, tenant, three):
    assert sales_client.get(_url(tenant), {"quiet": "abc"}).status_code == 200


# --- the whole tenant after a bulk load, before any ANALYZE ------------------------------------


@pytest.fixture
def loaded_without_statistics(tenant, now):
    _bulk_load(tenant, now)
    statistics_reset(ACTIVITY_INPUT_TABLES)
    return tenant


@pytest.fixture
def now():
    return timezone.now()


def test_default_plan_without_statistics_nests_a_loop_over_the_purchases_aggregate(
    loaded_without_statistics,
):
    # The plan the guard exists for: if PostgreSQL stops choosing it, the next test proves less.
    plan = customer_activity_refresh_plan(tenant=loaded_without_statistics, guarded=False)
    assert nested_loops_over_aggregates(plan["Plan"])


def test_whole_tenant_refresh_plans_without_a_nested_loop_and_refreshes_everyone(
    loaded_without_statistics,
):
    plan = customer_activity_refresh_plan(tenant=loaded_without_statistics, guarded=True)
    assert nested_loops_over_aggregates(plan["Plan"]) == []
    assert customer_activity_refresh(tenant=loaded_without_statistics) == 3_000
    with scopes_disabled():
        rows = CustomerActivity.objects.filter(tenant=loaded_without_statistics)
        assert rows.filter(last_purchase_at__isnull=False).count() == 3_000
