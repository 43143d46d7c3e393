"""Writes about tenants and their members."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction

from crm.audit import audit_log
from crm.models import Membership, Role, Tenant


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
