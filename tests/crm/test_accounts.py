"""Signing in and out, changing and resetting a password (emails via the locmem backend)."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

PASSWORD = "parola-123"  # tests.factories.UserFactory


@pytest.fixture
def english(client):
    # Assertions below read English text; the product speaks Turkish by default.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_login_page_renders_a_form(english):
    response = english.get(reverse("login"))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'name="username"' in body and 'name="password"' in body
    assert reverse("password_reset") in body


def test_wrong_password_shows_an_error_and_does_not_sign_in(english, sales_user):
    response = english.post(reverse("login"), {"username": "sales", "password": "wrong"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert "Please enter a correct username and password" in response.content.decode()
    assert "_auth_user_id" not in english.session


def test_right_password_lands_on_the_tenant_home(client, sales_user, tenant):
    response = client.post(
        reverse("login"), {"username": "sales", "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse(
        "tenant_home", kwargs={"tenant_slug": tenant.slug}
    )
    assert response.status_code == 200


def test_member_of_two_tenants_lands_on_the_picker(client, sales_user, other_tenant):
    from tests.factories import MembershipFactory

    MembershipFactory(user=sales_user, tenant=other_tenant)
    response = client.post(
        reverse("login"), {"username": "sales", "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("tenant_pick")
    assert response.templates[0].name == "crm/tenant_pick.html"


def test_login_returns_to_the_page_asked_for(client, admin_user, tenant):
    members = reverse("member_list", kwargs={"tenant_slug": tenant.slug})
    response = client.post(
        reverse("login") + f"?next={members}",
        {"username": "admin", "password": PASSWORD, "next": members},
    )
    assert response.url == members


def test_logout_signs_out(sales_client, tenant):
    response = sales_client.post(reverse("logout"))
    assert response.status_code == 302
    assert response.url == reverse("login")
    home = sales_client.get(reverse("tenant_home", kwargs={"tenant_slug": tenant.slug}))
    assert home.status_code == 302
    assert home.url.startswith(reverse("login"))


def test_password_change(sales_client, sales_user):
    response = sales_client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "Yepyeni-Parola-42",
            "new_password2": "Yepyeni-Parola-42",
        },
    )
    assert response.url == reverse("password_change_done")
    sales_user.refresh_from_db()
    assert sales_user.check_password("Yepyeni-Parola-42")


def test_password_change_page_requires_login(client):
    response = client.get(reverse("password_change"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_password_reset_mails_a_link_that_sets_a_new_password(client, sales_user):
    response = client.post(reverse("password_reset"), {"email": sales_user.email})
    assert response.url == reverse("password_reset_done")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [sales_user.email]
    link = re.search(r"https?://testserver(/accounts/reset/\S+)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    set_password_url = form_page.redirect_chain[-1][0]
    done = client.post(
        set_password_url,
        {"new_password1": "Sifirdan-Parola-77", "new_password2": "Sifirdan-Parola-77"},
    )
    assert done.url == reverse("password_reset_complete")
    sales_user.refresh_from_db()
    assert sales_user.check_password("Sifirdan-Parola-77")


def test_password_reset_for_unknown_address_sends_nothing_and_looks_the_same(client, db):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.com"})
    assert response.url == reverse("password_reset_done")
    assert mail.outbox == []
