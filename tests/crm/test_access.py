"""Every core tenant URL: 404 for members of other tenants and outsiders, 403 for a role
without the permission, the page for a role with it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from crm.models import Membership

# (url name, needs a membership id, roles that may open it)
CORE_PAGES = [
    ("tenant_home", False, {"admin", "manager", "sales"}),
    ("configuration_enter", False, {"admin"}),
    ("member_list", False, {"admin"}),
    ("member_add", False, {"admin"}),
    ("member_remove", True, {"admin"}),
]
ROLE_CLIENTS = {"admin": "admin_client_", "manager": "manager_client", "sales": "sales_client"}


def page_url(name: str, with_membership: bool, tenant) -> str:
    kwargs = {"tenant_slug": tenant.slug}
    if with_membership:
        kwargs["membership_id"] = Membership.objects.filter(tenant=tenant).first().pk
    return reverse(name, kwargs=kwargs)


@pytest.fixture
def cast(admin_user, manager_user, sales_user):
    """Every role exists, so membership ids are there to put in URLs."""


@pytest.mark.parametrize(("name", "with_membership", "_roles"), CORE_PAGES)
@pytest.mark.parametrize("stranger", ["other_tenant_client", "outsider_client"])
def test_strangers_get_404_on_every_core_page(
    request, cast, tenant, name, with_membership, _roles, stranger
):
    client = request.getfixturevalue(stranger)
    url = page_url(name, with_membership, tenant)
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404


def test_role_change_post_of_another_tenant_is_404(other_tenant_client, cast, tenant):
    url = page_url("member_role_change", True, tenant)
    assert other_tenant_client.post(url, {"role": "admin"}).status_code == 404


@pytest.mark.parametrize(("name", "with_membership", "allowed"), CORE_PAGES)
@pytest.mark.parametrize("role", ["admin", "manager", "sales"])
def test_each_role_gets_exactly_its_pages(
    request, cast, tenant, name, with_membership, allowed, role
):
    client = request.getfixturevalue(ROLE_CLIENTS[role])
    response = client.get(page_url(name, with_membership, tenant))
    if role in allowed:
        assert response.status_code in {200, 302}
        if response.status_code == 302:  # configuration hands over to the admin site
            assert response.url == reverse("admin:index")
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("role", ["manager", "sales"])
def test_role_change_is_403_for_non_admins(request, cast, tenant, role):
    client = request.getfixturevalue(ROLE_CLIENTS[role])
    response = client.post(page_url("member_role_change", True, tenant), {"role": "admin"})
    assert response.status_code == 403


def test_403_page_explains_the_missing_permission(sales_client, tenant):
    response = sales_client.get(reverse("member_list", kwargs={"tenant_slug": tenant.slug}))
    assert response.status_code == 403
    assert response.templates[0].name == "403.html"


def test_health_check_answers_without_login(client, db):
    response = client.get(reverse("health"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
