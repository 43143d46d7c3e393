"""The core pages in a real browser: signing in with the form, and the home page on a phone."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.browser.conftest import sign_in
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_member_signs_in_with_the_form_and_lands_on_the_company_home(
    page, live_server, tenant, sales_user, console_errors
):
    sales_user.set_password("doğru-parola-2026")
    sales_user.save()
    page.goto(live_server.url + reverse("login"))
    page.get_by_label("Kullanıcı adı").fill(sales_user.username)
    page.get_by_label("Parola").fill("doğru-parola-2026")
    page.get_by_role("button", name="Giriş yap").click()
    page.wait_for_url(f"**/{tenant.slug}/")
    assert "Çıkış yap" in page.content()
    assert console_errors == []


def test_home_page_fits_a_phone_without_sideways_scroll(
    phone_page, live_server, tenant, sales_user
):
    sign_in(phone_page, live_server, sales_user)
    phone_page.goto(live_server.url + reverse("tenant_home", kwargs={"tenant_slug": tenant.slug}))
    assert phone_page.get_by_role("heading").first.is_visible()
    scroll_width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 390


def test_outsider_is_shown_not_found(page, live_server, tenant):
    outsider = UserFactory(username="yabanci")
    sign_in(page, live_server, outsider)
    response = page.goto(live_server.url + f"/{tenant.slug}/")
    assert response.status == 404
