"""The screens sales staff use all day, in Chromium: the customer list (value columns, sorting
by a header, cards on a phone), the customer page on a phone, the rep's agenda on home and the
feedback list; each checked with axe-core for serious or critical accessibility violations."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from customers.activity import customer_activity_refresh
from segmentation.services import scores_recompute, segment_create
from tests.browser.accessibility import serious_violations
from tests.browser.conftest import sign_in
from tests.factories import CustomerFactory, FeedbackFactory, InteractionFactory, TransactionFactory
from tests.segmentation.factories import use_keys, use_tiers

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def customers(tenant, sales_user):
    """Three buyers scored (revenue, min–max) in two tiers, owned by the rep."""
    use_keys(tenant, ("revenue", 1, "min_max"))
    use_tiers(tenant, 50, 50)
    now = timezone.now()
    made = []
    for first, amount in (("Ayşe", "300"), ("Burak", "200"), ("Cemile", "100")):
        who = CustomerFactory(
            tenant=tenant,
            first_name=first,
            last_name="Yılmaz",
            owner=sales_user,
            phone="+90532123456" + str(len(made)),
            consent_email=len(made) == 0,
        )
        TransactionFactory(
            customer=who, amount=Decimal(amount), occurred_at=now - timedelta(days=3)
        )
        made.append(who)
    InteractionFactory(customer=made[2], occurred_at=now - timedelta(days=1))
    scores_recompute(tenant=tenant, now=now)
    customer_activity_refresh(tenant=tenant)
    return made


def _list_url(live_server, tenant) -> str:
    return live_server.url + reverse("customers:list", kwargs={"tenant_slug": tenant.slug})


def _no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


def test_list_sorts_by_score_from_its_header_with_a_clean_url(
    page, live_server, tenant, sales_user, customers, console_errors
):
    sign_in(page, live_server, sales_user)
    page.goto(_list_url(live_server, tenant))
    table = page.locator("table.table-customers")
    assert table.get_by_role("columnheader", name="Tier").is_visible()
    assert table.get_by_role("columnheader", name="Revenue (12 months)").is_visible()
    assert "3 customers" in page.locator("#customer-count").inner_text()
    table.get_by_role("link", name="Score").click()
    page.wait_for_url("**/customers/?sort=-score")
    names = table.locator("tbody tr td a.fw-semibold").all_inner_texts()
    assert names == ["Ayşe Yılmaz", "Burak Yılmaz", "Cemile Yılmaz"]
    assert serious_violations(page) == []
    assert console_errors == []


def test_filtering_pushes_a_url_without_empty_parameters(
    page, live_server, tenant, sales_user, customers
):
    sign_in(page, live_server, sales_user)
    page.goto(_list_url(live_server, tenant))
    page.get_by_label("Region").select_option("Marmara")
    page.wait_for_url("**/customers/?region=Marmara")
    assert "q=" not in page.url and "owner=" not in page.url


def test_list_is_cards_on_a_phone_without_sideways_scroll(
    phone_page, live_server, tenant, sales_user, customers
):
    sign_in(phone_page, live_server, sales_user)
    phone_page.goto(_list_url(live_server, tenant))
    cards = phone_page.locator(".customer-cards li")
    assert cards.count() == 3
    assert cards.first.is_visible()
    assert not phone_page.locator("table.table-customers").is_visible()
    first = cards.first.inner_text()
    assert "Ayşe Yılmaz" in first or "Burak Yılmaz" in first or "Cemile Yılmaz" in first
    assert "Tier" in first and "Last contact" in first
    assert _no_sideways_scroll(phone_page)
    assert serious_violations(phone_page) == []


def test_customer_page_on_a_phone_puts_header_call_and_totals_first(
    phone_page, live_server, tenant, sales_user, customers
):
    sign_in(phone_page, live_server, sales_user)
    who = customers[0]
    phone_page.goto(
        live_server.url
        + reverse("customers:detail", kwargs={"tenant_slug": tenant.slug, "customer_id": who.pk})
    )
    call = phone_page.get_by_role("link", name="Call")
    assert call.is_visible()
    facts = phone_page.get_by_text("Key facts")
    totals_top = phone_page.locator("#quick-actions").bounding_box()["y"]
    assert totals_top < facts.bounding_box()["y"]
    assert "Level 1" in phone_page.locator("h1").locator("..").inner_text()
    assert _no_sideways_scroll(phone_page)
    assert serious_violations(phone_page) == []


def test_home_agenda_on_a_phone(phone_page, live_server, tenant, sales_user, customers):
    InteractionFactory(
        customer=customers[1],
        subject="Teklifi hatırlat",
        outcome="follow_up",
        follow_up_on=timezone.localdate() - timedelta(days=1),
        follow_up_owner=sales_user,
    )
    sign_in(phone_page, live_server, sales_user)
    phone_page.goto(live_server.url + reverse("tenant_home", kwargs={"tenant_slug": tenant.slug}))
    item = phone_page.locator(".agenda-follow-up").first
    assert "Teklifi hatırlat" in item.inner_text() and "overdue" in item.inner_text()
    item.get_by_role("button", name="Done").click()
    phone_page.wait_for_load_state()
    assert phone_page.locator(".agenda-follow-up").count() == 0
    assert _no_sideways_scroll(phone_page)
    assert serious_violations(phone_page) == []


def test_feedback_list_marks_overdue_feedback(page, live_server, tenant, sales_user, customers):
    FeedbackFactory(
        customer=customers[0], text="Kargo gecikti", opened_at=timezone.now() - timedelta(days=10)
    )
    sign_in(page, live_server, sales_user)
    page.goto(
        live_server.url + reverse("customers:feedback_list", kwargs={"tenant_slug": tenant.slug})
    )
    row = page.locator("tr.feedback-overdue")
    assert row.count() == 1 and "overdue" in row.inner_text()
    assert serious_violations(page) == []


def test_bulk_owner_add_to_segment_and_a_saved_view(
    page, live_server, tenant, sales_user, manager_user, customers
):
    with scope(tenant=tenant):
        segment = segment_create(tenant=tenant, actor=manager_user, data={"name": "Kıyı"})
    sign_in(page, live_server, manager_user)
    page.goto(_list_url(live_server, tenant) + "?sort=-score")
    page.get_by_label("Select Ayşe Yılmaz").check()
    page.get_by_label("Select Burak Yılmaz").check()
    page.locator("#bulk-action").select_option("owner")
    page.locator("#bulk-owner").select_option(str(manager_user.pk))
    with page.expect_navigation():
        page.get_by_role("button", name="Apply to selected").click()
    assert "Owner changed for 2 customers." in page.content()
    page.get_by_label("Select Ayşe Yılmaz").check()
    page.get_by_label("Select Cemile Yılmaz").check()
    page.locator("#bulk-action").select_option("segment")
    page.locator("#bulk-segment").select_option(str(segment.pk))
    with page.expect_navigation():
        page.get_by_role("button", name="Apply to selected").click()
    assert page.url.endswith("/customers/?sort=-score")
    assert "2 customers added to the segment." in page.content()
    page.get_by_placeholder("Name of this view").fill("En değerliler")
    page.get_by_role("button", name="Save view").click()
    page.wait_for_url("**/customers/?sort=-score")
    assert (
        page.locator("#saved-views")
        .get_by_role("link", name="En değerliler", exact=True)
        .is_visible()
    )
    assert serious_violations(page) == []
