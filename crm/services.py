"""Writes about tenants and their members."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from crm.audit import audit_log
from crm.models import Membership, Role, Tenant
from crm.tenancy.selectors import is_last_admin


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


def _send_set_password_email(*, user, tenant: Tenant, domain: str, use_https: bool) -> None:
    """Mail a new member a link to choose their password (Django's password reset machinery)."""
    context = {
        "email": user.email,
        "domain": domain,
        "site_name": tenant.name,
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "user": user,
        "token": default_token_generator.make_token(user),
        "protocol": "https" if use_https else "http",
        "tenant": tenant,
    }
    PasswordResetForm().send_mail(
        subject_template_name="registration/member_invitation_subject.txt",
        email_template_name="registration/member_invitation_email.txt",
        context=context,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to_email=user.email,
    )


@transaction.atomic
def member_add(
    *,
    tenant: Tenant,
    actor,
    email: str,
    role: Role | str,
    first_name: str = "",
    last_name: str = "",
    domain: str,
    use_https: bool = False,
) -> Membership:
    """Add the person with this email to the tenant.

    An existing account (matched by email, or by a username equal to it) is added as it is; a
    new address gets an account with no usable password and an email with a link to set one.
    """
    user_model = get_user_model()
    email = user_model.objects.normalize_email(email.strip())
    matches = list(
        user_model.objects.filter(email__iexact=email)
        | user_model.objects.filter(username__iexact=email)
    )
    if len(matches) > 1:
        raise TenancyError(
            _("Several accounts use %(email)s; ask support to add this person.") % {"email": email}
        )
    _lock_tenant(tenant)
    created = not matches
    if created:
        user = user_model(
            username=email.lower(), email=email, first_name=first_name, last_name=last_name
        )
        user.set_unusable_password()
        try:
            user.full_clean(exclude=["password"])
        except ValidationError as exc:
            raise TenancyError(" ".join(exc.messages)) from exc
        user.save()
    else:
        user = matches[0]
        if Membership.objects.filter(tenant=tenant, user=user).exists():
            raise TenancyError(_("%(email)s is already a member.") % {"email": email})
    membership = Membership.objects.create(tenant=tenant, user=user, role=role)
    audit_log(
        tenant=tenant,
        actor=actor,
        action="crm.member.added",
        target=membership,
        data={"user": user.get_username(), "role": str(role), "new_account": created},
    )
    if created:
        # After commit: a rolled-back invitation must not leave a link in someone's inbox.
        transaction.on_commit(
            lambda: _send_set_password_email(
                user=user, tenant=tenant, domain=domain, use_https=use_https
            )
        )
    return membership


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
