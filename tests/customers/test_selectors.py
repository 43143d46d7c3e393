"""Selectors of the customer page: totals, timeline, referrals, consent, duplicates."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from customers.models import ConsentRecord, ConsentSource, TransactionKind, TransactionStatus
from customers.selectors import (
    customer_consents,
    customer_list,
    customer_referrals,
    customer_timeline,
    customer_totals,
    duplicate_candidates,
    feedback_list,
    page_without_count,
)
from customers.timeline import timeline_sources
from tests.factories import (
    CompanyCustomerFactory,
    CustomerFactory,
    FeedbackFactory,
    InteractionFactory,
    TransactionFactory,
)

pytestmark = pytest.mark.usefixtures("tenant_scope")


def test_totals_exclude_refunds_and_compute_margin_and_average(tenant, customer):
    day = timezone.now() - timedelta(days=10)
    TransactionFactory(
        customer=customer, amount=Decimal("100.00"), cost=Decimal("60.00"), occurred_at=day
    )
    TransactionFactory(
        customer=customer, amount=Decimal("250.50"), cost=None, occurred_at=day + timedelta(days=1)
    )
    TransactionFactory(
        customer=customer,
        amount=Decimal("49.50"),
        cost=Decimal("9.50"),
        occurred_at=day + timedelta(days=2),
    )
    TransactionFactory(
        customer=customer,
        amount=Decimal("1000.00"),
        cost=Decimal("0"),
        occurred_at=day + timedelta(days=3),
        status=TransactionStatus.REFUNDED,
    )
    TransactionFactory(customer=CustomerFactory(tenant=tenant), amount=Decimal("777.00"))

    totals = customer_totals(tenant=tenant, customer=customer)

    # revenue 100 + 250.50 + 49.50 = 400; margin (100-60) + (49.50-9.50) = 80; 400 / 3 = 133.33
    assert totals.revenue == Decimal("400.00")
    assert totals.margin == Decimal("80.00")
    assert totals.orders == 3
    assert totals.average_order_value == Decimal("133.33")
    assert totals.first_purchase == day
    assert totals.last_purchase == day + timedelta(days=2)


def test_totals_leave_out_cost_sharing(tenant, customer):
    TransactionFactory(customer=customer, amount=Decimal("10.00"))
    TransactionFactory(customer=customer, amount=Decimal("500.00"), kind=TransactionKind.COST_SHARE)
    assert customer_totals(tenant=tenant, customer=customer).revenue == Decimal("10.00")


def test_totals_count_late_payments(tenant, customer):
    today = timezone.localdate()
    TransactionFactory(
        customer=customer, due_date=today - timedelta(days=5), paid_date=today - timedelta(days=1)
    )  # paid late
    TransactionFactory(customer=customer, due_date=today - timedelta(days=5))  # still unpaid
    TransactionFactory(
        customer=customer, due_date=today - timedelta(days=5), paid_date=today - timedelta(days=6)
    )  # paid early
    assert customer_totals(tenant=tenant, customer=customer).late_payments == 2


def test_totals_of_a_customer_without_purchases_are_zero(tenant, customer):
    totals = customer_totals(tenant=tenant, customer=customer)
    assert (totals.revenue, totals.orders, totals.average_order_value, totals.last_purchase) == (
        Decimal("0"),
        0,
        Decimal("0.00"),
        None,
    )


def test_totals_take_one_query(tenant, customer, django_assert_num_queries):
    TransactionFactory(customer=customer)
    with django_assert_num_queries(1):
        customer_totals(tenant=tenant, customer=customer)


def test_timeline_merges_purchases_contacts_and_feedback_newest_first(tenant, customer):
    now = timezone.now()
    sale = TransactionFactory(customer=customer, occurred_at=now - timedelta(days=3))
    contact = InteractionFactory(customer=customer, occurred_at=now - timedelta(days=1))
    feedback = FeedbackFactory(customer=customer, opened_at=now - timedelta(days=2))
    timeline = customer_timeline(tenant=tenant, customer=customer)
    assert [(entry.kind, entry.item) for entry in timeline.entries] == [
        ("contact", contact),
        ("feedback", feedback),
        ("purchase", sale),
    ]
    assert timeline.has_more is False


def test_timeline_is_limited_and_continues_before_the_last_entry(tenant, customer):
    now = timezone.now()
    for day in range(5):
        TransactionFactory(customer=customer, occurred_at=now - timedelta(days=day))
    first = customer_timeline(tenant=tenant, customer=customer, limit=3)
    assert len(first.entries) == 3 and first.has_more
    rest = customer_timeline(tenant=tenant, customer=customer, limit=3, before=first.next_before)
    assert [entry.when for entry in rest.entries] == [
        now - timedelta(days=3),
        now - timedelta(days=4),
    ]
    assert rest.has_more is False


def test_timeline_never_splits_one_moment_across_pages(tenant, customer):
    now = timezone.now()
    midnight = now - timedelta(days=2)
    newest = TransactionFactory(customer=customer, occurred_at=now)
    # An import dated by day only: four purchases and a contact at the same moment.
    same_moment = [TransactionFactory(customer=customer, occurred_at=midnight) for _ in range(4)]
    contact = InteractionFactory(customer=customer, occurred_at=midnight)
    oldest = TransactionFactory(customer=customer, occurred_at=now - timedelta(days=9))

    first = customer_timeline(tenant=tenant, customer=customer, limit=3)
    # Cut at 3 the page would end inside the moment; it takes the whole moment instead.
    assert [entry.item for entry in first.entries] == [
        newest,
        *reversed(same_moment),
        contact,
    ]
    assert first.has_more and first.next_before == midnight
    rest = customer_timeline(tenant=tenant, customer=customer, limit=3, before=first.next_before)
    assert [entry.item for entry in rest.entries] == [oldest]
    assert rest.has_more is False


def test_a_page_ending_exactly_on_a_moment_says_when_nothing_older_exists(tenant, customer):
    moment = timezone.now() - timedelta(days=1)
    for _ in range(4):
        TransactionFactory(customer=customer, occurred_at=moment)
    page = customer_timeline(tenant=tenant, customer=customer, limit=3)
    assert (len(page.entries), page.has_more) == (4, False)


def test_timeline_takes_one_query_per_source(tenant, customer, django_assert_num_queries):
    for _ in range(3):
        TransactionFactory(customer=customer)
    # Purchases, contacts, feedback, and one per source other apps registered.
    with django_assert_num_queries(3 + len(timeline_sources())):
        customer_timeline(tenant=tenant, customer=customer)


def test_referrals_are_the_customers_referred_by_this_one(tenant, customer):
    referred = CustomerFactory(tenant=tenant, first_name="Can", referred_by=customer)
    CustomerFactory(tenant=tenant)
    assert customer_referrals(tenant=tenant, customer=customer) == [referred]


def test_consents_show_the_latest_record_per_channel(tenant, customer, sales_user):
    now = timezone.now()
    ConsentRecord.objects.create(
        tenant=tenant,
        customer=customer,
        channel="email",
        granted=True,
        source=ConsentSource.WEB_FORM,
        recorded_at=now - timedelta(days=9),
    )
    latest = ConsentRecord.objects.create(
        tenant=tenant,
        customer=customer,
        channel="email",
        granted=False,
        source=ConsentSource.EMAIL_REPLY,
        recorded_at=now - timedelta(days=1),
    )
    consents = {
        state.channel: state for state in customer_consents(tenant=tenant, customer=customer)
    }
    assert consents["email"].record == latest
    assert consents["sms"].record is None


def test_duplicate_candidates_find_same_email_phone_or_tax_number(tenant):
    by_email = CustomerFactory(tenant=tenant, email="ali@example.com")
    by_phone = CustomerFactory(tenant=tenant, phone="+905321234567")
    by_tax = CompanyCustomerFactory(tenant=tenant, tax_number="4540536920")
    found = duplicate_candidates(
        tenant=tenant, email="ALI@example.com ", phone="0532 123 45 67", tax_number="4540536920"
    )
    assert {(d.field, d.customer) for d in found} == {
        ("email", by_email),
        ("phone", by_phone),
        ("tax_number", by_tax),
    }


def test_duplicate_candidates_ignore_the_customer_being_edited(tenant):
    customer = CustomerFactory(tenant=tenant, email="ali@example.com")
    assert (
        duplicate_candidates(tenant=tenant, email="ali@example.com", exclude_id=customer.pk) == []
    )


def test_duplicate_candidates_ignore_other_tenants(tenant, other_tenant):
    CustomerFactory(tenant=other_tenant, email="ali@example.com")
    assert duplicate_candidates(tenant=tenant, email="ali@example.com") == []


def test_duplicate_candidates_with_nothing_to_compare_run_no_query(
    tenant, django_assert_num_queries
):
    with django_assert_num_queries(0):
        assert duplicate_candidates(tenant=tenant, email="", phone="", tax_number="") == []


def test_feedback_list_shows_unresolved_by_default(tenant, customer):
    now = timezone.now()
    open_one = FeedbackFactory(customer=customer)
    FeedbackFactory(customer=customer, status="resolved", opened_at=now, resolved_at=now)
    assert list(feedback_list(tenant=tenant)) == [open_one]


def test_feedback_list_filters_by_assignee(tenant, customer, sales_user, manager_user):
    mine = FeedbackFactory(customer=customer, assignee=sales_user)
    FeedbackFactory(customer=customer, assignee=manager_user)
    assert list(feedback_list(tenant=tenant, params={"assignee": sales_user.pk})) == [mine]


def test_page_without_count_knows_there_is_a_next_page(tenant):
    for name in "ABCDE":
        CompanyCustomerFactory(tenant=tenant, company_name=name)
    page = page_without_count(customer_list(tenant=tenant), page=2, page_size=2)
    assert [c.display_name for c in page.object_list] == ["C", "D"]
    assert (page.has_previous, page.has_next) == (True, True)
    last = page_without_count(customer_list(tenant=tenant), page=3, page_size=2)
    assert ([c.display_name for c in last.object_list], last.has_next) == (["E"], False)


def test_page_without_count_treats_garbage_as_page_one(tenant):
    page = page_without_count(
        __import__("customers.selectors").selectors.customer_list(tenant=tenant),
        page="abc",
        page_size=2,
    )
    assert page.number == 1


def test_page_without_count_stops_at_the_last_page_it_serves(tenant, monkeypatch):
    monkeypatch.setattr("customers.selectors.MAX_PAGE", 2)
    for name in "ABCDE":
        CompanyCustomerFactory(tenant=tenant, company_name=name)
    page = page_without_count(customer_list(tenant=tenant), page=7, page_size=2)
    # Asked for page 7, served page 2 (C, D): E exists, but only a narrower list shows it.
    assert [c.display_name for c in page.object_list] == ["C", "D"]
    assert (page.number, page.has_next, page.beyond_last_page) == (2, False, True)


def test_the_last_page_tells_the_count_without_a_query(tenant, django_assert_num_queries):
    from customers.selectors import customer_count, customer_filterset

    for name in "ABCDE":
        CompanyCustomerFactory(tenant=tenant, company_name=name)
    filterset = customer_filterset(tenant=tenant, params={})
    last = page_without_count(filterset.qs, page=3, page_size=2)
    with django_assert_num_queries(0):
        count = customer_count(filterset=filterset, page=last)
    assert (count.number, count.exact) == (5, True)


def test_a_page_with_a_next_one_leaves_the_count_to_a_query(tenant):
    from customers.selectors import customer_count, customer_filterset

    for name in "ABCDE":
        CompanyCustomerFactory(tenant=tenant, company_name=name)
    filterset = customer_filterset(tenant=tenant, params={})
    first = page_without_count(filterset.qs, page=1, page_size=2)
    count = customer_count(filterset=filterset, page=first)
    assert (count.number, count.exact) == (5, True)
