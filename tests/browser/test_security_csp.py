"""Every main page works under the Content-Security-Policy: loaded in Chromium, no violation
(nor any other error) reaches the console, and htmx still swaps content."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse
from playwright.sync_api import expect

from crm.navigation import menu_for
from crm.services import member_invite
from tests.browser.conftest import sign_in
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_every_menu_page_of_an_admin_loads_without_a_policy_violation(
    page, live_server, tenant, admin_user, console_errors
):
    customer = CustomerFactory(tenant=tenant, first_name="Ayşe", last_name="Yılmaz")
    sign_in(page, live_server, admin_user)
    menu = [item["url"] for item in menu_for(tenant=tenant, role="admin", current_path="/")]
    slug = {"tenant_slug": tenant.slug}
    pages = [
        *menu,
        reverse("customers:detail", kwargs={**slug, "customer_id": customer.pk}),
        reverse("member_add", kwargs=slug),
        reverse("admin:index"),
        reverse("admin:crm_tenant_change", args=[tenant.pk]),
    ]

    for path in pages:
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        page.wait_for_load_state("networkidle")
        assert console_errors == [], path


def test_htmx_search_and_the_language_switcher_work_under_the_policy(
    page, live_server, tenant, sales_user, console_errors
):
    CustomerFactory(tenant=tenant, first_name="Ayşe", last_name="Yılmaz")
    CustomerFactory(tenant=tenant, first_name="Mehmet", last_name="Kaya")
    sign_in(page, live_server, sales_user)
    page.goto(live_server.url + reverse("customers:list", kwargs={"tenant_slug": tenant.slug}))

    page.locator("#id_q").fill("kaya")
    page.get_by_text("Yılmaz").first.wait_for(state="detached")
    page.select_option("#language-select", "tr")
    # The switcher posts and reloads the page: wait for the Turkish page, not for a quiet
    # network (which the old page may still be when the form is sent).
    expect(page.locator("html")).to_have_attribute("lang", "tr")
    assert "Mehmet" in page.content()
    assert console_errors == []


def test_sign_in_and_invitation_pages_load_without_a_policy_violation(
    page, live_server, tenant, admin_user, console_errors
):
    member_invite(
        tenant=tenant, actor=admin_user, email="yeni@example.com", role="sales", domain="x"
    )
    invitation = re.search(r"/accounts/invitations/\S+/", mail.outbox[-1].body)[0]
    for path in (reverse("login"), reverse("password_reset"), invitation):
        page.goto(live_server.url + path)
        page.wait_for_load_state("networkidle")
        assert console_errors == [], path
