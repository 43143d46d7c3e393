"""Acquisition in a real browser: the lead board's quick actions (htmx) and the customer's own
preference page opened from its signed link, without an account."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from acquisition.models import Lead
from acquisition.services import preference_link_token
from customers.models import ConsentRecord, Customer
from tests.acquisition.conftest import make_lead
from tests.browser.conftest import sign_in
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_salesperson_moves_a_lead_along_the_board(
    page, live_server, tenant, sales_user, console_errors
):
    lead = make_lead(tenant, first_name="Nihan", last_name="Yurt")
    sign_in(page, live_server, sales_user)
    page.goto(live_server.url + reverse("acquisition:board", kwargs={"tenant_slug": tenant.slug}))

    card = page.locator(f"[data-lead='{lead.pk}']")
    card.get_by_role("button", name="Contacted").click()
    page.locator("#column-contacted").wait_for()
    page.get_by_text("Nihan Yurt is now Contacted.").wait_for()

    assert page.get_by_test_id("count-contacted").inner_text() == "1"
    assert page.get_by_test_id("count-new").inner_text() == "0"
    page.locator(f"[data-lead='{lead.pk}']").get_by_text("Lost…").click()
    page.get_by_placeholder("Why?").fill("Bütçe yok")
    page.locator(f"[data-lead='{lead.pk}']").get_by_role("button", name="Lost").click()
    page.get_by_text("Nihan Yurt is now Lost.").wait_for()
    with scopes_disabled():
        lead = Lead.objects.get(pk=lead.pk)
    assert (lead.status, lead.lost_reason) == ("lost", "Bütçe yok")
    assert console_errors == []


def test_a_customer_changes_their_consent_on_their_own_page(
    page, live_server, tenant, console_errors
):
    customer = CustomerFactory(
        tenant=tenant, first_name="Oya", last_name="Tan", preferred_language="tr"
    )
    with scopes_disabled():
        token = preference_link_token(tenant=tenant, customer=customer)
    page.goto(
        live_server.url + reverse("preferences", kwargs={"company": tenant.slug, "token": token})
    )

    assert page.get_by_role("heading", name="Tercihleriniz").is_visible()
    page.get_by_label("Evet, haber ve teklifleri e-postayla almak istiyorum.").check()
    page.get_by_role("button", name="Tercihlerimi kaydet").click()
    page.get_by_text("Tercihleriniz kaydedildi.").wait_for()

    with scopes_disabled():
        assert Customer.objects.get(pk=customer.pk).consent_email is True
        record = ConsentRecord.objects.get(customer=customer)
    assert (record.channel, record.granted, record.source) == ("email", True, "web_form")
    assert console_errors == []
