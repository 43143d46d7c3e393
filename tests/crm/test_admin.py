"""The tenant-aware Django admin: tenant admins see and pick only their tenant's rows, other
roles are refused, superusers see everything."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from crm.audit import audit_log
from crm.models import AuditEntry, CrossTenantAccess, Membership, Role
from customers.models import Product
from tests.factories import (
    MembershipFactory,
    ProductCategoryFactory,
    ProductFactory,
    UserFactory,
)


@pytest.fixture
def audit_entries(tenant, other_tenant):
    return {
        "mine": audit_log(tenant=tenant, actor=None, action="test.anadolu.entry"),
        "theirs": audit_log(tenant=other_tenant, actor=None, action="test.ege.entry"),
    }


@pytest.fixture
def superuser_client(db):
    client = Client()
    client.force_login(UserFactory(username="root", is_superuser=True, is_staff=True))
    return client


@pytest.fixture
def catalogue_admin(settings):
    settings.ROOT_URLCONF = "tests.crm.admin_urls"


def audit_changelist() -> str:
    return reverse("admin:crm_auditentry_changelist")


def test_tenant_admin_needs_no_staff_flag(admin_client_, admin_user):
    assert not admin_user.is_staff
    assert admin_client_.get(reverse("admin:index")).status_code == 200


def test_admin_header_names_the_tenant_and_links_back(admin_client_, tenant):
    body = admin_client_.get(reverse("admin:index")).content.decode()
    assert tenant.name in body
    assert reverse("tenant_home", kwargs={"tenant_slug": tenant.slug}) in body


def test_tenant_admin_changelist_shows_only_own_audit_entries(admin_client_, audit_entries):
    response = admin_client_.get(audit_changelist())
    assert response.status_code == 200
    shown = [entry.action for entry in response.context["cl"].result_list]
    assert shown == ["test.anadolu.entry"]


def test_tenant_admin_cannot_open_another_tenants_audit_entry(admin_client_, audit_entries):
    url = reverse("admin:crm_auditentry_change", args=[audit_entries["theirs"].pk])
    response = admin_client_.get(url)
    # Django admin answers a missing object with a redirect to the index and a message.
    assert response.status_code == 302
    assert response.url == reverse("admin:index")
    assert "test.ege.entry" not in admin_client_.get(response.url).content.decode()


def test_tenant_admin_membership_list_shows_only_own_members(
    admin_client_, sales_user, other_tenant_admin
):
    response = admin_client_.get(reverse("admin:crm_membership_changelist"))
    users = {membership.user.username for membership in response.context["cl"].result_list}
    assert users == {"admin", "sales"}


def test_tenant_admin_cannot_open_another_tenants_membership(admin_client_, other_tenant_admin):
    foreign = Membership.objects.get(user=other_tenant_admin)
    response = admin_client_.get(reverse("admin:crm_membership_change", args=[foreign.pk]))
    assert response.status_code == 302
    assert response.url == reverse("admin:index")


def test_tenant_admin_only_sees_own_tenant_in_tenant_list(admin_client_, tenant, other_tenant):
    response = admin_client_.get(reverse("admin:crm_tenant_changelist"))
    assert [shown.slug for shown in response.context["cl"].result_list] == [tenant.slug]


def test_admin_role_change_follows_the_last_admin_rule(admin_client_, tenant, admin_user):
    membership = Membership.objects.get(user=admin_user, tenant=tenant)
    url = reverse("admin:crm_membership_change", args=[membership.pk])
    response = admin_client_.post(url, {"role": "sales"})
    assert response.status_code == 200  # the form comes back with the error
    assert response.context["adminform"].form.errors["role"]
    membership.refresh_from_db()
    assert membership.role == Role.ADMIN


def test_admin_role_change_goes_through_the_service_and_is_audited(
    admin_client_, tenant, sales_user
):
    membership = Membership.objects.get(user=sales_user, tenant=tenant)
    url = reverse("admin:crm_membership_change", args=[membership.pk])
    assert admin_client_.post(url, {"role": "manager"}).status_code == 302
    membership.refresh_from_db()
    assert membership.role == Role.MANAGER
    with scope(tenant=tenant):
        assert AuditEntry.objects.filter(action="crm.member.role_changed").count() == 1


def test_admin_works_on_the_tenant_last_visited(admin_user, tenant, other_tenant, admin_client_):
    MembershipFactory(user=admin_user, tenant=other_tenant, role=Role.ADMIN)
    audit_log(tenant=other_tenant, actor=None, action="test.ege.entry")
    admin_client_.get(reverse("tenant_home", kwargs={"tenant_slug": other_tenant.slug}))
    response = admin_client_.get(audit_changelist())
    assert [entry.action for entry in response.context["cl"].result_list] == ["test.ege.entry"]
    body = response.content.decode()
    assert "Ege Pazarlama" in body
    # ...and the header offers to switch back to the other company it administers.
    assert reverse("configuration_enter", kwargs={"tenant_slug": tenant.slug}) in body


def test_configuration_link_switches_the_admin_tenant(admin_user, tenant, other_tenant):
    MembershipFactory(user=admin_user, tenant=other_tenant, role=Role.ADMIN)
    client = Client()
    client.force_login(admin_user)
    response = client.get(reverse("configuration_enter", kwargs={"tenant_slug": other_tenant.slug}))
    assert response.url == reverse("admin:index")
    assert client.get(response.url).context["admin_tenant"] == other_tenant


@pytest.mark.parametrize("client_fixture", ["manager_client", "sales_client", "outsider_client"])
def test_non_admins_are_refused_by_the_admin(request, client_fixture, audit_entries):
    client = request.getfixturevalue(client_fixture)
    for url in (reverse("admin:index"), audit_changelist()):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("admin:login"))


def test_admin_falls_back_to_a_tenant_the_user_administers(sales_user, other_tenant):
    # Last seen as sales in A: the admin opens on B, which they administer, never on A.
    MembershipFactory(user=sales_user, tenant=other_tenant, role=Role.ADMIN)
    audit_log(tenant=other_tenant, actor=None, action="test.ege.entry")
    client = Client()
    client.force_login(sales_user)
    client.get("/anadolu/")  # last visited: the tenant where they are sales
    response = client.get(audit_changelist())
    assert response.context["admin_tenant"] == other_tenant
    assert [entry.action for entry in response.context["cl"].result_list] == ["test.ege.entry"]


def test_superuser_sees_every_tenants_rows(superuser_client, audit_entries):
    response = superuser_client.get(audit_changelist())
    shown = {entry.action for entry in response.context["cl"].result_list}
    assert shown == {"test.anadolu.entry", "test.ege.entry"}


def test_superuser_sees_every_membership(superuser_client, admin_user, other_tenant_admin):
    response = superuser_client.get(reverse("admin:crm_membership_changelist"))
    users = {membership.user.username for membership in response.context["cl"].result_list}
    assert users == {"admin", "other"}


# --- a tenant-owned model with a foreign key (Product → ProductCategory) ---------------------


@pytest.fixture
def categories(tenant, other_tenant):
    return {
        "mine": ProductCategoryFactory(tenant=tenant, name="Beyaz eşya"),
        "theirs": ProductCategoryFactory(tenant=other_tenant, name="Tekstil"),
    }


def test_foreign_key_choices_offer_only_own_tenant_rows(catalogue_admin, admin_client_, categories):
    response = admin_client_.get(reverse("catalogue_admin:customers_product_add"))
    assert response.status_code == 200
    choices = response.context["adminform"].form.fields["category"].queryset
    assert list(choices.values_list("name", flat=True)) == ["Beyaz eşya"]
    assert "Tekstil" not in response.content.decode()


def test_tenant_admin_cannot_pick_another_tenants_row_by_id(
    catalogue_admin, admin_client_, categories
):
    response = admin_client_.post(
        reverse("catalogue_admin:customers_product_add"),
        {
            "name": "Buzdolabı",
            "sku": "BZ-1",
            "category": categories["theirs"].pk,
            "is_active": "on",
        },
    )
    assert response.status_code == 200
    assert "category" in response.context["adminform"].form.errors
    with scopes_disabled():
        assert not Product.objects.filter(sku="BZ-1").exists()


def test_tenant_is_set_on_save_and_not_offered(catalogue_admin, admin_client_, tenant, categories):
    add_url = reverse("catalogue_admin:customers_product_add")
    assert "tenant" not in admin_client_.get(add_url).context["adminform"].form.fields
    response = admin_client_.post(
        add_url,
        {"name": "Buzdolabı", "sku": "BZ-1", "category": categories["mine"].pk, "is_active": "on"},
    )
    assert response.status_code == 302
    with scope(tenant=tenant):
        assert Product.objects.get(sku="BZ-1").tenant == tenant


def test_list_filter_lookups_offer_only_own_tenant_rows(
    catalogue_admin, admin_client_, categories, tenant
):
    ProductFactory(tenant=tenant, category=categories["mine"])
    response = admin_client_.get(reverse("catalogue_admin:customers_product_changelist"))
    body = response.content.decode()
    assert "Beyaz eşya" in body
    assert "Tekstil" not in body


def test_superuser_picks_the_tenant_and_sees_every_category(
    catalogue_admin, superuser_client, categories
):
    form = (
        superuser_client.get(reverse("catalogue_admin:customers_product_add"))
        .context["adminform"]
        .form
    )
    assert "tenant" in form.fields
    assert set(form.fields["category"].queryset.values_list("name", flat=True)) == {
        "Beyaz eşya",
        "Tekstil",
    }


def test_admin_refuses_to_delete_the_last_admin(admin_client_, tenant, admin_user):
    membership = Membership.objects.get(user=admin_user, tenant=tenant)
    response = admin_client_.post(
        reverse("admin:crm_membership_delete", args=[membership.pk]), {"post": "yes"}
    )
    assert response.status_code == 403
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_admin_delete_of_a_member_is_audited(admin_client_, tenant, sales_user):
    membership = Membership.objects.get(user=sales_user, tenant=tenant)
    response = admin_client_.post(
        reverse("admin:crm_membership_delete", args=[membership.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()
    with scope(tenant=tenant):
        assert AuditEntry.objects.filter(action="crm.member.removed").count() == 1


def test_superuser_reads_the_cross_tenant_access_log(superuser_client):
    CrossTenantAccess.objects.create(reason="campaigns: tenants with campaign work")
    response = superuser_client.get(reverse("admin:crm_crosstenantaccess_changelist"))
    assert response.status_code == 200
    assert "campaigns: tenants with campaign work" in response.content.decode()


def test_tenant_admin_cannot_read_the_cross_tenant_access_log(admin_client_):
    response = admin_client_.get(reverse("admin:crm_crosstenantaccess_changelist"))
    assert response.status_code in (302, 403)
