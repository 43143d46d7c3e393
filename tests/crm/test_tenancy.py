"""Tenant resolution, membership, scoping that fails closed."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_scopes import ScopeError, scope

from crm.audit import audit_log
from crm.models import AuditEntry


def home_url(tenant) -> str:
    return reverse("tenant_home", kwargs={"tenant_slug": tenant.slug})


def test_member_reaches_tenant_home(sales_client, tenant):
    response = sales_client.get(home_url(tenant))
    assert response.status_code == 200
    assert tenant.name in response.content.decode()


def test_member_of_other_tenant_gets_404(other_tenant_client, tenant):
    assert other_tenant_client.get(home_url(tenant)).status_code == 404


def test_outsider_gets_404(outsider_client, tenant):
    assert outsider_client.get(home_url(tenant)).status_code == 404


def test_unknown_tenant_and_foreign_tenant_look_the_same(outsider_client, tenant):
    foreign = outsider_client.get(home_url(tenant))
    missing = outsider_client.get("/no-such-company/")
    assert foreign.status_code == missing.status_code == 404


def test_anonymous_is_sent_to_login_without_learning_whether_tenant_exists(client, tenant):
    existing = client.get(home_url(tenant))
    missing = client.get("/no-such-company/")
    assert existing.status_code == missing.status_code == 302
    assert existing.url.startswith(reverse("login"))
    assert missing.url.startswith(reverse("login"))


@pytest.mark.django_db
def test_scoped_query_without_tenant_raises(tenant):
    with pytest.raises(ScopeError):
        list(AuditEntry.objects.all())


def test_scoped_query_sees_only_its_tenant(tenant, other_tenant):
    audit_log(tenant=tenant, actor=None, action="test.mine")
    audit_log(tenant=other_tenant, actor=None, action="test.theirs")
    with scope(tenant=tenant):
        actions = list(AuditEntry.objects.values_list("action", flat=True))
    assert actions == ["test.mine"]


def test_user_with_one_tenant_goes_straight_in(sales_client, tenant):
    response = sales_client.get(reverse("tenant_pick"))
    assert response.status_code == 302
    assert response.url == home_url(tenant)


def test_user_with_two_tenants_picks_one(sales_user, tenant, other_tenant, sales_client):
    from tests.factories import MembershipFactory

    MembershipFactory(user=sales_user, tenant=other_tenant)
    response = sales_client.get(reverse("tenant_pick"))
    assert response.status_code == 200
    body = response.content.decode()
    assert home_url(tenant) in body and home_url(other_tenant) in body


def test_tenant_pages_do_not_write_the_session_on_every_view(sales_client, tenant):
    from django.contrib.sessions.models import Session

    sales_client.get(home_url(tenant))
    before = Session.objects.get().expire_date
    sales_client.get(home_url(tenant))
    # The remembered tenant did not change, so the session row was not saved again.
    assert Session.objects.get().expire_date == before


def test_a_superuser_without_membership_acts_as_admin(client, tenant):
    from tests.factories import UserFactory

    client.force_login(UserFactory(is_superuser=True))
    response = client.get(reverse("customers:list", kwargs={"tenant_slug": tenant.slug}))
    assert response.status_code == 200
    assert response.wsgi_request.tenant_role == "admin"


def test_a_member_of_an_inactive_tenant_gets_404(sales_client, tenant):
    tenant.is_active = False
    tenant.save()
    assert sales_client.get(home_url(tenant)).status_code == 404


def test_the_role_is_the_membership_of_the_tenant_in_the_url(
    sales_user, tenant, other_tenant, sales_client
):
    from tests.factories import MembershipFactory

    MembershipFactory(user=sales_user, tenant=other_tenant, role="manager")
    response = sales_client.get(home_url(other_tenant))
    assert (response.wsgi_request.tenant, response.wsgi_request.tenant_role) == (
        other_tenant,
        "manager",
    )
    assert sales_client.get(home_url(tenant)).wsgi_request.tenant_role == "sales"
    # The switcher lists both companies, the current one marked.
    body = response.content.decode()
    assert "Switch company" in body or "Şirket" in body
    assert f'dropdown-item active" href="{home_url(other_tenant)}"' in body
    assert f'dropdown-item" href="{home_url(tenant)}"' in body


def test_the_tenant_role_and_switcher_are_read_in_one_query(sales_client, tenant):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    sales_client.get(home_url(tenant))
    with CaptureQueriesContext(connection) as queries:
        sales_client.get(home_url(tenant))
    membership_reads = [q for q in queries if "crm_membership" in q["sql"]]
    tenant_reads = [q for q in queries if 'FROM "crm_tenant"' in q["sql"]]
    assert (len(membership_reads), tenant_reads) == (1, [])


def test_favicon_points_at_the_static_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response.url.endswith("img/favicon.svg")
