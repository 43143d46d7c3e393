"""Every prediction URL: 404 for members of other tenants and outsiders, 403 for a role without
the permission, the page for a role with it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

ROLE_CLIENTS = {"admin": "admin_client_", "manager": "manager_client", "sales": "sales_client"}
MANAGERS = {"admin", "manager"}
# (url name, method, needs a customer id, roles that may use it)
PAGES = [
    ("list", "get", False, MANAGERS),
    ("run", "post", False, MANAGERS),
    ("review", "get", False, MANAGERS),
    ("decide", "post", True, MANAGERS),
    ("backtest", "get", False, MANAGERS),
    ("backtest", "post", False, MANAGERS),
]


@pytest.fixture
def cast(admin_user, manager_user, sales_user, tenant):
    return CustomerFactory(tenant=tenant)


def page_url(name: str, needs_customer: bool, tenant, customer) -> str:
    kwargs = {"tenant_slug": tenant.slug}
    if needs_customer:
        kwargs["customer_id"] = customer.pk
    return reverse(f"prediction:{name}", kwargs=kwargs)


@pytest.mark.parametrize(("name", "method", "needs_customer", "_roles"), PAGES)
@pytest.mark.parametrize("stranger", ["other_tenant_client", "outsider_client"])
def test_strangers_get_404(request, cast, tenant, name, method, needs_customer, _roles, stranger):
    client = request.getfixturevalue(stranger)
    response = getattr(client, method)(page_url(name, needs_customer, tenant, cast))
    assert response.status_code == 404


@pytest.mark.parametrize(("name", "method", "needs_customer", "allowed"), PAGES)
@pytest.mark.parametrize("role", ["admin", "manager", "sales"])
def test_each_role_gets_exactly_its_pages(
    request, cast, tenant, name, method, needs_customer, allowed, role
):
    client = request.getfixturevalue(ROLE_CLIENTS[role])
    response = getattr(client, method)(page_url(name, needs_customer, tenant, cast))
    if role in allowed:
        assert response.status_code in {200, 302, 400}
    else:
        assert response.status_code == 403


def test_decision_on_a_customer_of_another_tenant_is_404(manager_client, tenant, other_tenant):
    stranger = CustomerFactory(tenant=other_tenant)
    url = reverse(
        "prediction:decide", kwargs={"tenant_slug": tenant.slug, "customer_id": stranger.pk}
    )
    response = manager_client.post(url, {"action": "keep", "reason": "x"})
    assert response.status_code == 404
