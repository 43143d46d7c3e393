"""Every acquisition URL: 404 for a member of another tenant and an outsider, 403 for a role
without the permission, the page for a role with it."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from acquisition.models import AcquisitionCost
from tests.acquisition.conftest import make_lead

pytestmark = pytest.mark.django_db

ROLE_CLIENTS = {"admin": "admin_client_", "manager": "manager_client", "sales": "sales_client"}
EVERYONE = {"admin", "manager", "sales"}
MANAGERS = {"admin", "manager"}

# (url name, which object id it needs, roles that may open it)
PAGES = [
    ("board", None, EVERYONE),
    ("list", None, EVERYONE),
    ("create", None, EVERYONE),
    ("import", None, MANAGERS),
    ("detail", "lead_id", EVERYONE),
    ("report", None, MANAGERS),
    ("costs", None, MANAGERS),
    ("cost_delete", "cost_id", MANAGERS),
]


@pytest.fixture
def objects(tenant, admin_user, manager_user, sales_user):
    lead = make_lead(tenant)
    with scopes_disabled():
        cost = AcquisitionCost.objects.create(
            tenant=tenant, month="2026-10-01", channel="web", amount="1000.00"
        )
    return {"lead_id": lead.pk, "cost_id": cost.pk}


def page_url(name: str, needs: str | None, tenant, objects) -> str:
    kwargs = {"tenant_slug": tenant.slug}
    if needs:
        kwargs[needs] = objects[needs]
    return reverse(f"acquisition:{name}", kwargs=kwargs)


@pytest.mark.parametrize(("name", "needs", "_roles"), PAGES)
@pytest.mark.parametrize("stranger", ["other_tenant_client", "outsider_client"])
def test_strangers_get_404(request, objects, tenant, name, needs, _roles, stranger):
    client = request.getfixturevalue(stranger)
    url = page_url(name, needs, tenant, objects)
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404


@pytest.mark.parametrize("stranger", ["other_tenant_client", "outsider_client"])
def test_strangers_cannot_move_a_lead(request, objects, tenant, stranger):
    client = request.getfixturevalue(stranger)
    url = page_url("status", "lead_id", tenant, objects)
    assert client.post(url, {"status": "contacted"}).status_code == 404


@pytest.mark.parametrize(("name", "needs", "allowed"), PAGES)
@pytest.mark.parametrize("role", ["admin", "manager", "sales"])
def test_each_role_gets_exactly_its_pages(request, objects, tenant, name, needs, allowed, role):
    client = request.getfixturevalue(ROLE_CLIENTS[role])
    response = client.get(page_url(name, needs, tenant, objects))
    assert response.status_code == (200 if role in allowed else 403)


def test_a_lead_of_another_tenant_is_404_in_my_tenant(admin_client_, tenant, other_lead):
    url = reverse(
        "acquisition:detail", kwargs={"tenant_slug": tenant.slug, "lead_id": other_lead.pk}
    )
    assert admin_client_.get(url).status_code == 404
    status_url = reverse(
        "acquisition:status", kwargs={"tenant_slug": tenant.slug, "lead_id": other_lead.pk}
    )
    assert admin_client_.post(status_url, {"status": "contacted"}).status_code == 404


def test_a_cost_of_another_tenant_is_404_in_my_tenant(manager_client, tenant, other_tenant):
    with scopes_disabled():
        cost = AcquisitionCost.objects.create(
            tenant=other_tenant, month="2026-10-01", channel="web", amount="5.00"
        )
    url = reverse(
        "acquisition:cost_delete", kwargs={"tenant_slug": tenant.slug, "cost_id": cost.pk}
    )
    assert manager_client.post(url).status_code == 404
    with scopes_disabled():
        assert AcquisitionCost.objects.filter(pk=cost.pk).exists()
