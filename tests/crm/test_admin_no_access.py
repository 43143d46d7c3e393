"""A manager or a rep who opens /admin/ is told plainly that configuration is not theirs (403),
instead of the admin's sign-in form; administrators and signed-out visitors are unaffected."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("client_name", ["sales_client", "manager_client"])
def test_a_member_without_the_admin_role_gets_the_no_access_page(request, client_name, tenant):
    client = request.getfixturevalue(client_name)
    response = client.get("/admin/", follow=True)
    assert response.status_code == 403
    content = response.content.decode()
    assert "No access to the configuration" in content
    assert 'name="password"' not in content


def test_the_tenant_admin_gets_the_admin(admin_client_, tenant):
    assert admin_client_.get("/admin/").status_code == 200


def test_a_signed_out_visitor_gets_the_sign_in_form(client, db):
    response = client.get("/admin/", follow=True)
    assert response.status_code == 200
    assert 'name="password"' in response.content.decode()


def test_the_no_access_page_speaks_turkish(sales_client, tenant):
    from django.conf import settings

    sales_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "tr"
    response = sales_client.get(reverse("admin:login"))
    assert "Yapılandırmaya erişiminiz yok" in response.content.decode()
