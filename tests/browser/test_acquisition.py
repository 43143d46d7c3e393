"""Acquisition in a real browser: the lead board's quick actions (htmx), a lead's own page
(pipeline data saved, status moved), the company's public lead form to its thank-you page, and
the customer's own preference page opened from its signed link, without an account."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from acquisition.models import Lead
from acquisition.public import lead_form_url
from acquisition.services import preference_link_token
from customers.models import ConsentRecord, Customer
from tests.acquisition.conftest import make_campaign, make_lead
from tests.browser.accessibility import serious_violations
from tests.browser.conftest import sign_in
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_salesperson_moves_a_lead_along_the_board(
    page, live_server, tenant, sales_user, console_errors
):
    lead = make_lead(tenant, first_name="Nihan", last_name="Yurt")
    sign_in(page, live_server, sales_user)
    page.goto(live_server.url + reverse("acquisition:board", kwargs={"tenant_slug": tenant.slug}))
    assert serious_violations(page) == []

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


def test_a_salesperson_works_a_lead_on_its_page(
    page, live_server, tenant, sales_user, console_errors
):
    campaign = make_campaign(tenant, name="Bahar 2026")
    lead = make_lead(tenant, first_name="Sevgi", last_name="Aksu")
    sign_in(page, live_server, sales_user)
    page.goto(
        live_server.url
        + reverse("acquisition:detail", kwargs={"tenant_slug": tenant.slug, "lead_id": lead.pk})
    )
    assert page.get_by_role("heading", name="Sevgi Aksu").is_visible()

    page.locator("#id_campaign").select_option(label="Bahar 2026")
    page.locator("#id_next_step").fill("Teklif gönder")
    page.locator("#id_next_step_due").fill("2026-12-15")
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_text("Changes to the lead saved.").wait_for()
    page.locator("#id_status").select_option("contacted")
    page.get_by_role("button", name="Change status").click()
    page.get_by_text("Sevgi Aksu is now Contacted.").wait_for()

    assert "New → Contacted" in page.locator("#lead-history").inner_text()
    with scopes_disabled():
        lead = Lead.objects.get(pk=lead.pk)
    assert (lead.status, lead.campaign, lead.next_step, str(lead.next_step_due)) == (
        "contacted", campaign, "Teklif gönder", "2026-12-15",
    )  # fmt: skip
    assert serious_violations(page) == []
    assert console_errors == []


def test_a_visitor_leaves_their_details_on_the_public_lead_form(
    page, live_server, tenant, console_errors
):
    campaign = make_campaign(tenant, name="Bahar 2026")
    page.goto(live_server.url + lead_form_url(tenant, campaign=campaign))

    assert page.get_by_role("heading", name="Anadolu Ticaret A.Ş.").is_visible()
    assert page.locator("#kvkk-notice").is_visible()
    assert serious_violations(page) == []
    page.locator("#id_first_name").fill("Derya")
    page.locator("#id_last_name").fill("Kılıç")
    page.locator("#id_email").fill("derya@example.com")
    page.locator("#id_privacy_notice").check()
    page.locator("#id_consent_email").check()
    page.locator("button[type=submit]").click()

    page.locator("h1").filter(has_text="!").wait_for()
    assert "/thanks/" in page.url
    with scopes_disabled():
        lead = Lead.objects.select_related("customer").get(tenant=tenant)
        consents = list(ConsentRecord.objects.filter(customer=lead.customer))
    assert (lead.customer.display_name, lead.source, lead.campaign) == (
        "Derya Kılıç", "web_form", campaign,
    )  # fmt: skip
    assert [(c.channel, c.granted) for c in consents] == [("email", True)]
    assert console_errors == []
