"""Writes about tenants and their members: invitations, roles, removal."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from crm.audit import audit_log, user_or_none
from crm.models import Invitation, Membership, Role, Tenant
from crm.tenancy.selectors import (
    accounts_with_email,
    invitation_is_for,
    invitation_token_hash,
    is_last_admin,
)


class TenancyError(Exception):
    """A tenancy rule was broken; the message is safe to show to the user."""


@transaction.atomic
def tenant_create(
    *,
    name: str,
    slug: str,
    timezone: str = "Europe/Istanbul",
    currency: str = "TRY",
    default_language: str = "tr",
) -> Tenant:
    tenant = Tenant(
        name=name,
        slug=slug,
        timezone=timezone,
        currency=currency,
        default_language=default_language,
    )
    tenant.full_clean()
    tenant.save()
    return tenant


@transaction.atomic
def membership_set(*, tenant: Tenant, user, role: Role | str, actor=None) -> Membership:
    """Give `user` the role in the tenant (adding them if they were not a member)."""
    membership = Membership.objects.filter(tenant=tenant, user=user).first()
    created = membership is None
    if membership is not None and membership.role == role:
        return membership
    if created:
        membership = Membership.objects.create(tenant=tenant, user=user, role=role)
    else:
        membership.role = role
        membership.save(update_fields=["role"])
    audit_log(
        tenant=tenant,
        actor=actor,
        action="crm.member.added" if created else "crm.member.role_changed",
        target=membership,
        data={"user": user.get_username(), "role": str(role)},
    )
    return membership


def demo_user_ensure(*, username: str, password: str, first_name: str, last_name: str, email: str):
    """Create the demo account if missing; an existing one keeps its (maybe changed) password."""
    user_model = get_user_model()
    user, created = user_model.objects.get_or_create(
        username=username,
        defaults={"first_name": first_name, "last_name": last_name, "email": email},
    )
    if created:
        user.set_password(password)
        user.save(update_fields=["password"])
    return user


# --- members page ------------------------------------------------------------------------------


def _lock_tenant(tenant: Tenant) -> None:
    """Serialise membership changes of one tenant, so two admins demoting each other at the
    same moment cannot leave the tenant with no administrator."""
    Tenant.objects.select_for_update().filter(pk=tenant.pk).first()


def member_name(membership: Membership) -> str:
    """How messages name a member: the full name, or the username when there is none."""
    return membership.user.get_full_name() or membership.user.get_username()


INVITATION_VALID_FOR = timedelta(days=7)


def _send_invitation_email(
    *, invitation: Invitation, token: str, domain: str, use_https: bool
) -> None:
    """One mail whether or not the address has an account: the page behind the link tells."""
    context = {
        "tenant": invitation.tenant,
        "role": invitation.get_role_display(),
        "link": "{}://{}{}".format(
            "https" if use_https else "http",
            domain,
            reverse("invitation_accept", kwargs={"token": token}),
        ),
        "expires_at": invitation.expires_at,
    }
    with translation.override(invitation.tenant.default_language):
        subject = render_to_string("registration/member_invitation_subject.txt", context)
        body = render_to_string("registration/member_invitation_email.txt", context)
    send_mail(" ".join(subject.split()), body, settings.DEFAULT_FROM_EMAIL, [invitation.email])


@transaction.atomic
def member_invite(
    *,
    tenant: Tenant,
    actor,
    email: str,
    role: Role | str,
    domain: str,
    use_https: bool = False,
) -> Invitation:
    """Invite the person with this address to join with `role`; nothing changes for them until
    they accept. The same happens whether or not the address has an account, so the answer
    tells the inviting admin nothing about other companies' people. Inviting an address again
    renews its open invitation (new link, role and validity)."""
    email = get_user_model().objects.normalize_email(email.strip())
    _lock_tenant(tenant)
    if Membership.objects.filter(tenant=tenant, user__in=accounts_with_email(email)).exists():
        # The admin sees their own members anyway: this discloses nothing new.
        raise TenancyError(_("%(email)s is already a member.") % {"email": email})
    token = secrets.token_urlsafe(32)
    invitation = (
        Invitation.objects.select_for_update()
        .filter(
            tenant=tenant, email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True
        )
        .first()
    ) or Invitation(tenant=tenant)
    invitation.email = email
    invitation.role = role
    invitation.token_hash = invitation_token_hash(token)
    invitation.invited_by = user_or_none(actor)
    invitation.expires_at = timezone.now() + INVITATION_VALID_FOR
    invitation.save()
    audit_log(
        tenant=tenant,
        actor=actor,
        action="crm.member.invited",
        target=invitation,
        data={"email": email, "role": str(role)},
    )
    # After commit: a rolled-back invitation must not leave a link in someone's inbox.
    transaction.on_commit(
        lambda: _send_invitation_email(
            invitation=invitation, token=token, domain=domain, use_https=use_https
        )
    )
    return invitation


def _join(*, invitation: Invitation, user) -> Membership:
    """Make the invited person a member (keeping the role of one who already is)."""
    _lock_tenant(invitation.tenant)
    claimed = Invitation.objects.filter(
        pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True
    ).update(accepted_at=timezone.now(), accepted_by=user)
    if not claimed:
        raise TenancyError(_("This invitation is no longer valid."))
    membership, created = Membership.objects.get_or_create(
        tenant=invitation.tenant, user=user, defaults={"role": invitation.role}
    )
    audit_log(
        tenant=invitation.tenant,
        actor=user,
        action="crm.member.added",
        target=membership,
        data={
            "user": user.get_username(),
            "role": membership.role,
            "invitation": invitation.pk,
            "already_member": not created,
        },
    )
    return membership


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user) -> Membership:
    """The signed-in owner of the invited address accepts."""
    if not invitation_is_for(invitation, user):
        raise TenancyError(
            _("This invitation was sent to another address; sign in with that account.")
        )
    return _join(invitation=invitation, user=user)


@transaction.atomic
def invitation_accept_with_new_account(
    *, invitation: Invitation, password: str, first_name: str, last_name: str
) -> Membership:
    """Someone with no account accepts by choosing a password (the form validated it); the
    account's username is the invited address."""
    if accounts_with_email(invitation.email).exists():
        raise TenancyError(_("This address already has an account; sign in to accept."))
    user = get_user_model()(
        username=invitation.email.lower(),
        email=invitation.email,
        first_name=first_name,
        last_name=last_name,
    )
    user.set_password(password)
    try:
        user.full_clean(exclude=["password"])
    except ValidationError as exc:
        raise TenancyError(" ".join(exc.messages)) from exc
    user.save()
    return _join(invitation=invitation, user=user)


@transaction.atomic
def invitation_revoke(*, tenant: Tenant, actor, invitation: Invitation) -> None:
    if invitation.tenant_id != tenant.pk:
        raise TenancyError(_("This invitation belongs to another company."))
    revoked = Invitation.objects.filter(
        pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=timezone.now())
    if not revoked:
        raise TenancyError(_("This invitation was already accepted or revoked."))
    audit_log(
        tenant=tenant,
        actor=actor,
        action="crm.member.invitation_revoked",
        target=invitation,
        data={"email": invitation.email, "role": invitation.role},
    )


@transaction.atomic
def member_role_change(
    *, tenant: Tenant, actor, membership: Membership, role: Role | str
) -> Membership:
    if membership.tenant_id != tenant.pk:
        raise TenancyError(_("This person is not a member of this company."))
    _lock_tenant(tenant)
    membership.refresh_from_db(fields=["role"])
    old_role = membership.role
    if old_role == role:
        return membership
    if is_last_admin(membership=membership):
        raise TenancyError(
            _("%(user)s is the only administrator; make someone else an administrator first.")
            % {"user": member_name(membership)}
        )
    membership.role = role
    membership.save(update_fields=["role"])
    audit_log(
        tenant=tenant,
        actor=actor,
        action="crm.member.role_changed",
        target=membership,
        data={"user": membership.user.get_username(), "from": old_role, "to": str(role)},
    )
    return membership


@transaction.atomic
def member_remove(*, tenant: Tenant, actor, membership: Membership) -> None:
    """Take the person out of the tenant; their account stays (they may belong elsewhere)."""
    if membership.tenant_id != tenant.pk:
        raise TenancyError(_("This person is not a member of this company."))
    _lock_tenant(tenant)
    membership.refresh_from_db(fields=["role"])
    if is_last_admin(membership=membership):
        raise TenancyError(
            _("%(user)s is the only administrator and cannot be removed.")
            % {"user": member_name(membership)}
        )
    audit_log(
        tenant=tenant,
        actor=actor,
        action="crm.member.removed",
        target=membership,
        data={"user": membership.user.get_username(), "role": membership.role},
    )
    membership.delete()
