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


def test_favicon_points_at_the_static_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response.url.endswith("img/favicon.svg")
