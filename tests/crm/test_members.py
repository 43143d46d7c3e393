"""The members page: services (add, re-role, remove, last-admin rule) and their views."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scope

from crm.models import AuditEntry, Membership, Role
from crm.services import TenancyError, member_remove, member_role_change
from tests.factories import MembershipFactory


def members_url(tenant) -> str:
    return reverse("member_list", kwargs={"tenant_slug": tenant.slug})


def add_url(tenant) -> str:
    return reverse("member_add", kwargs={"tenant_slug": tenant.slug})


def role_url(membership) -> str:
    return reverse(
        "member_role_change",
        kwargs={"tenant_slug": membership.tenant.slug, "membership_id": membership.pk},
    )


def remove_url(membership) -> str:
    return reverse(
        "member_remove",
        kwargs={"tenant_slug": membership.tenant.slug, "membership_id": membership.pk},
    )


def membership_of(user, tenant) -> Membership:
    return Membership.objects.get(user=user, tenant=tenant)


def audit_actions(tenant) -> list[str]:
    with scope(tenant=tenant):
        return list(AuditEntry.objects.order_by("id").values_list("action", flat=True))


# --- services ----------------------------------------------------------------------------------


def test_role_change_writes_an_audit_entry(tenant, admin_user, sales_user):
    membership = membership_of(sales_user, tenant)
    member_role_change(tenant=tenant, actor=admin_user, membership=membership, role=Role.MANAGER)
    assert membership_of(sales_user, tenant).role == Role.MANAGER
    with scope(tenant=tenant):
        entry = AuditEntry.objects.get(action="crm.member.role_changed")
    assert entry.data == {"user": "sales", "from": "sales", "to": "manager"}


def test_last_admin_cannot_be_demoted(tenant, admin_user):
    with pytest.raises(TenancyError):
        member_role_change(
            tenant=tenant,
            actor=admin_user,
            membership=membership_of(admin_user, tenant),
            role=Role.SALES,
        )
    assert membership_of(admin_user, tenant).role == Role.ADMIN


def test_admin_can_step_down_when_another_admin_remains(tenant, admin_user):
    MembershipFactory(tenant=tenant, role=Role.ADMIN)
    member_role_change(
        tenant=tenant,
        actor=admin_user,
        membership=membership_of(admin_user, tenant),
        role=Role.MANAGER,
    )
    assert membership_of(admin_user, tenant).role == Role.MANAGER


def test_last_admin_cannot_remove_themselves(tenant, admin_user):
    with pytest.raises(TenancyError):
        member_remove(tenant=tenant, actor=admin_user, membership=membership_of(admin_user, tenant))
    assert Membership.objects.filter(tenant=tenant, user=admin_user).exists()


def test_member_remove_keeps_the_account_and_writes_an_audit_entry(tenant, admin_user, sales_user):
    member_remove(tenant=tenant, actor=admin_user, membership=membership_of(sales_user, tenant))
    assert not Membership.objects.filter(tenant=tenant, user=sales_user).exists()
    assert get_user_model().objects.filter(pk=sales_user.pk).exists()
    assert audit_actions(tenant) == ["crm.member.removed"]


def test_services_refuse_a_membership_of_another_tenant(tenant, admin_user, other_tenant_admin):
    foreign = Membership.objects.get(user=other_tenant_admin)
    with pytest.raises(TenancyError):
        member_remove(tenant=tenant, actor=admin_user, membership=foreign)
    with pytest.raises(TenancyError):
        member_role_change(tenant=tenant, actor=admin_user, membership=foreign, role="sales")


# --- views -------------------------------------------------------------------------------------


def test_admin_sees_members_with_their_roles(admin_client_, tenant, manager_user, sales_user):
    response = admin_client_.get(members_url(tenant))
    assert response.status_code == 200
    usernames = [row["membership"].user.username for row in response.context["rows"]]
    assert usernames == ["admin", "manager", "sales"]
    assert [row["is_last_admin"] for row in response.context["rows"]] == [True, False, False]


def test_member_list_query_count_does_not_grow_with_members(
    admin_client_, tenant, django_assert_num_queries
):
    admin_client_.get(members_url(tenant))  # the first view remembers the tenant in the session
    with CaptureQueriesContext(connection) as few:
        admin_client_.get(members_url(tenant))
    MembershipFactory.create_batch(12, tenant=tenant)
    with django_assert_num_queries(len(few)):
        response = admin_client_.get(members_url(tenant))
    assert len(response.context["rows"]) == 13


@pytest.mark.parametrize("client_fixture", ["manager_client", "sales_client"])
def test_members_page_is_403_for_non_admins(request, client_fixture, tenant):
    client = request.getfixturevalue(client_fixture)
    assert client.get(members_url(tenant)).status_code == 403
    assert client.get(add_url(tenant)).status_code == 403


def test_members_page_of_other_tenant_is_404(other_tenant_client, tenant, admin_user):
    assert other_tenant_client.get(members_url(tenant)).status_code == 404
    assert other_tenant_client.get(remove_url(membership_of(admin_user, tenant))).status_code == 404


def test_admin_cannot_touch_another_tenants_membership_through_own_tenant_url(
    admin_client_, tenant, other_tenant_admin
):
    foreign = Membership.objects.get(user=other_tenant_admin)
    url = reverse("member_remove", kwargs={"tenant_slug": tenant.slug, "membership_id": foreign.pk})
    assert admin_client_.post(url).status_code == 404
    assert Membership.objects.filter(pk=foreign.pk).exists()


def test_role_change_view_changes_the_role(admin_client_, tenant, sales_user):
    membership = membership_of(sales_user, tenant)
    response = admin_client_.post(role_url(membership), {"role": "manager"})
    assert response.status_code == 302
    assert membership_of(sales_user, tenant).role == Role.MANAGER


def test_role_change_view_explains_the_last_admin_rule(admin_client_, tenant, admin_user):
    response = admin_client_.post(
        role_url(membership_of(admin_user, tenant)), {"role": "sales"}, follow=True
    )
    shown = [(message.level_tag, message.message) for message in response.context["messages"]]
    assert len(shown) == 1
    assert shown[0][0] == "error"
    assert admin_user.get_full_name() in shown[0][1]
    assert membership_of(admin_user, tenant).role == Role.ADMIN


def test_remove_view_asks_for_confirmation_then_removes(admin_client_, tenant, sales_user):
    membership = membership_of(sales_user, tenant)
    confirm = admin_client_.get(remove_url(membership))
    assert confirm.status_code == 200
    assert 'name="confirm"' in confirm.text
    assert Membership.objects.filter(pk=membership.pk).exists()

    response = admin_client_.post(remove_url(membership), {"confirm": "on"}, follow=True)

    assert response.redirect_chain[-1][0] == members_url(tenant)
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert [str(message) for message in response.context["messages"]] == [
        f"{sales_user.get_full_name()} has been removed from {tenant.name}; their account stays."
    ]


def test_remove_without_the_confirmation_box_removes_nothing(admin_client_, tenant, sales_user):
    membership = membership_of(sales_user, tenant)

    response = admin_client_.post(remove_url(membership))

    assert response.status_code == 400
    assert "Tick the box to confirm." in response.text
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_members_menu_item_is_shown_to_admins_only(admin_client_, sales_client, tenant):
    home = reverse("tenant_home", kwargs={"tenant_slug": tenant.slug})
    assert members_url(tenant) in admin_client_.get(home).content.decode()
    assert members_url(tenant) not in sales_client.get(home).content.decode()
