"""Joining a company is an invitation the person accepts: an existing account after signing in,
a new address by choosing a password. The inviting admin gets the same answer either way."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from crm.models import AuditEntry, Invitation, Membership, Role
from crm.services import (
    TenancyError,
    invitation_accept,
    invitation_revoke,
    member_invite,
)
from tests.factories import UserFactory

PASSWORD = "parola-123"  # tests.factories.UserFactory


def invite_url(tenant) -> str:
    return reverse("member_add", kwargs={"tenant_slug": tenant.slug})


def members_url(tenant) -> str:
    return reverse("member_list", kwargs={"tenant_slug": tenant.slug})


def invite(admin_client, tenant, email: str, role: str = "sales", **extra):
    return admin_client.post(invite_url(tenant), {"email": email, "role": role}, **extra)


def link_in_last_mail() -> str:
    return re.search(r"http://testserver(/accounts/invitations/\S+/)", mail.outbox[-1].body)[1]


def english_client() -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def outsider_account(db):
    """Someone with an account in another company, whom the admin tries to add."""
    return UserFactory(username="deniz", email="deniz@example.com", first_name="Deniz")


# --- the inviting admin's side -----------------------------------------------------------------


def test_inviting_an_existing_account_does_not_make_it_a_member(
    admin_client_, tenant, outsider_account, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(admin_client_, tenant, "deniz@example.com", role="admin")

    assert response.status_code == 302
    assert not Membership.objects.filter(tenant=tenant, user=outsider_account).exists()
    assert mail.outbox[-1].to == ["deniz@example.com"]


def test_the_answer_is_the_same_whether_or_not_the_address_has_an_account(
    admin_client_, tenant, outsider_account, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        known = invite(admin_client_, tenant, "deniz@example.com", follow=True)
        unknown = invite(admin_client_, tenant, "nobody@example.com", follow=True)

    def shown(response) -> list[str]:
        return [str(message) for message in response.context["messages"]]

    assert shown(known) == [
        "An invitation was sent to deniz@example.com. They join once they accept it."
    ]
    assert shown(unknown) == [
        "An invitation was sent to nobody@example.com. They join once they accept it."
    ]
    assert not get_user_model().objects.filter(email="nobody@example.com").exists()
    # The mails differ by their link only (the page behind it tells an account from none).
    bodies = {re.sub(r"/accounts/invitations/\S+", "LINK", m.body) for m in mail.outbox}
    assert len(bodies) == 1
    assert len({message.subject for message in mail.outbox}) == 1


def test_inviting_is_audited_and_the_invitation_is_listed(admin_client_, admin_user, tenant):
    invite(admin_client_, tenant, "Can@Example.com", role="manager")

    with scope(tenant=tenant):
        entry = AuditEntry.objects.get(action="crm.member.invited")
    assert (entry.actor, entry.data) == (
        admin_user,
        {"email": "Can@example.com", "role": "manager"},
    )
    page = admin_client_.get(members_url(tenant))
    assert [invitation.email for invitation in page.context["invitations"]] == ["Can@example.com"]


def test_inviting_an_address_again_renews_its_invitation(tenant, admin_user):
    first = member_invite(
        tenant=tenant, actor=admin_user, email="a@example.com", role="sales", domain="x"
    )
    second = member_invite(
        tenant=tenant, actor=admin_user, email="A@example.com", role="manager", domain="x"
    )

    assert first.pk == second.pk
    assert Invitation.objects.get().role == Role.MANAGER


def test_inviting_a_member_is_refused(admin_client_, tenant, sales_user):
    response = invite(admin_client_, tenant, sales_user.email.upper())

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == ["SALES@example.com is already a member."]


def test_invitations_are_rate_limited_per_admin(admin_client_, tenant, settings):
    settings.CRM_INVITATION_RATE_PER_USER = "3/h"
    for number in range(3):
        assert invite(admin_client_, tenant, f"p{number}@example.com").status_code == 302

    response = invite(admin_client_, tenant, "p4@example.com")

    assert response.status_code == 429
    assert "Too many invitations in a short time; try again later." in response.text
    assert Invitation.objects.count() == 3


@pytest.mark.parametrize("client_fixture", ["manager_client", "sales_client"])
def test_only_admins_invite(request, client_fixture, tenant):
    client = request.getfixturevalue(client_fixture)

    assert invite(client, tenant, "x@example.com").status_code == 403
    assert not Invitation.objects.exists()


# --- the invited person's side -----------------------------------------------------------------


def test_an_existing_account_joins_after_signing_in_and_confirming(
    admin_client_, tenant, outsider_account, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invite(admin_client_, tenant, "deniz@example.com", role="manager")
    link = link_in_last_mail()
    person = english_client()

    page = person.get(link)
    assert (
        "Sign in with your account for deniz@example.com to accept." in page.content.decode("utf-8")
        or "deniz@example.com" in page.content.decode()
    )
    assert page.context["state"] == "sign_in"
    signed_in = person.post(
        reverse("login") + f"?next={link}",
        {"username": "deniz", "password": PASSWORD, "next": link},
    )
    assert signed_in.url == link
    assert person.get(link).context["state"] == "confirm"
    assert person.post(link).status_code == 200  # the box is not ticked: nothing happens
    assert "Tick the box to confirm." in person.post(link).content.decode()
    assert not Membership.objects.filter(tenant=tenant, user=outsider_account).exists()

    joined = person.post(link, {"confirm": "on"})

    assert joined.url == reverse("tenant_home", kwargs={"tenant_slug": tenant.slug})
    assert Membership.objects.get(tenant=tenant, user=outsider_account).role == Role.MANAGER
    assert person.get(link).status_code == 404  # used once


def test_a_new_address_chooses_a_password_and_joins(
    admin_client_, tenant, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invite(admin_client_, tenant, "Zeynep.Arslan@Example.com", role="sales")
    link = link_in_last_mail()
    person = english_client()
    assert person.get(link).context["state"] == "new_account"

    response = person.post(
        link,
        {
            "first_name": "Zeynep",
            "last_name": "Arslan",
            "password1": "Yeni-Parola-2026",
            "password2": "Yeni-Parola-2026",
        },
    )

    assert response.url == reverse("tenant_home", kwargs={"tenant_slug": tenant.slug})
    user = get_user_model().objects.get(username="zeynep.arslan@example.com")
    assert (user.email, user.get_full_name()) == ("Zeynep.Arslan@example.com", "Zeynep Arslan")
    assert user.check_password("Yeni-Parola-2026")
    assert Membership.objects.get(user=user).tenant == tenant
    assert person.session["_auth_user_id"] == str(user.pk)


def test_a_weak_or_mismatched_password_is_refused(
    admin_client_, tenant, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invite(admin_client_, tenant, "zeynep@example.com")
    link = link_in_last_mail()

    response = english_client().post(
        link,
        {"first_name": "Z", "last_name": "A", "password1": "12345678", "password2": "12345678"},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["password1"]
    assert not get_user_model().objects.filter(email="zeynep@example.com").exists()


def test_another_signed_in_account_cannot_accept(
    admin_client_, tenant, outsider_account, other_tenant_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invite(admin_client_, tenant, "deniz@example.com")

    response = other_tenant_client.post(link_in_last_mail(), {"confirm": "on"})

    assert response.status_code == 403
    assert not Membership.objects.filter(tenant=tenant, user=outsider_account).exists()
    assert Membership.objects.filter(tenant=tenant).count() == 1  # the admin only


def test_the_service_refuses_another_account(tenant, admin_user, outsider_account, sales_user):
    invitation = member_invite(
        tenant=tenant, actor=admin_user, email="deniz@example.com", role="admin", domain="x"
    )

    with pytest.raises(TenancyError):
        invitation_accept(invitation=invitation, user=sales_user)


@pytest.mark.parametrize("how", ["unknown", "expired", "revoked"])
def test_a_dead_link_says_so(
    admin_client_, admin_user, tenant, how, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invite(admin_client_, tenant, "zeynep@example.com")
    link = link_in_last_mail()
    invitation = Invitation.objects.get()
    if how == "unknown":
        link = link[:-5] + "xxxx/"
    elif how == "expired":
        Invitation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    else:
        invitation_revoke(tenant=tenant, actor=admin_user, invitation=invitation)

    response = english_client().get(link)

    assert response.status_code == 404
    assert response.templates[0].name == "registration/invitation_invalid.html"


def test_revoking_asks_for_confirmation(admin_client_, admin_user, tenant):
    invitation = member_invite(
        tenant=tenant, actor=admin_user, email="zeynep@example.com", role="sales", domain="x"
    )
    url = reverse(
        "member_invitation_revoke",
        kwargs={"tenant_slug": tenant.slug, "invitation_id": invitation.pk},
    )

    assert admin_client_.post(url).status_code == 400
    assert Invitation.objects.get().revoked_at is None
    response = admin_client_.post(url, {"confirm": "on"}, follow=True)

    assert Invitation.objects.get().revoked_at is not None
    assert [str(message) for message in response.context["messages"]] == [
        "The invitation to zeynep@example.com was revoked; its link no longer works."
    ]


def test_another_tenants_invitation_cannot_be_revoked(
    admin_client_, tenant, other_tenant, other_tenant_admin
):
    foreign = member_invite(
        tenant=other_tenant,
        actor=other_tenant_admin,
        email="z@example.com",
        role="sales",
        domain="x",
    )
    url = reverse(
        "member_invitation_revoke", kwargs={"tenant_slug": tenant.slug, "invitation_id": foreign.pk}
    )

    assert admin_client_.post(url, {"confirm": "on"}).status_code == 404
    assert Invitation.objects.get().revoked_at is None


@pytest.mark.parametrize("client_fixture", ["other_tenant_client", "outsider_client"])
def test_strangers_get_404_on_revoke(request, client_fixture, tenant, admin_user):
    invitation = member_invite(
        tenant=tenant, actor=admin_user, email="z@example.com", role="sales", domain="x"
    )
    url = reverse(
        "member_invitation_revoke",
        kwargs={"tenant_slug": tenant.slug, "invitation_id": invitation.pk},
    )
    client = request.getfixturevalue(client_fixture)

    assert client.get(url).status_code == 404
    assert client.post(url, {"confirm": "on"}).status_code == 404


@pytest.mark.parametrize("client_fixture", ["manager_client", "sales_client"])
def test_non_admins_get_403_on_revoke(request, client_fixture, tenant, admin_user):
    invitation = member_invite(
        tenant=tenant, actor=admin_user, email="z@example.com", role="sales", domain="x"
    )
    url = reverse(
        "member_invitation_revoke",
        kwargs={"tenant_slug": tenant.slug, "invitation_id": invitation.pk},
    )

    assert request.getfixturevalue(client_fixture).post(url, {"confirm": "on"}).status_code == 403
    assert Invitation.objects.get().revoked_at is None
