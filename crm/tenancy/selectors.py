"""Reads about tenants, memberships and invitations."""

from __future__ import annotations

import hashlib

from django.contrib.auth import get_user_model
from django.db.models import Case, Q, QuerySet, Value, When
from django.utils import timezone

from crm.models import Invitation, Membership, Role, Tenant


def memberships_for_user(*, user) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(user=user, tenant__is_active=True)
        .select_related("tenant")
        .order_by("tenant__name")
    )


def role_in_tenant(*, user, tenant: Tenant) -> str | None:
    """The user's role in the tenant, or None for outsiders. Superusers act as admins."""
    if not user.is_authenticated:
        return None
    role = (
        Membership.objects.filter(user=user, tenant=tenant).values_list("role", flat=True).first()
    )
    if role is None and user.is_superuser:
        return Role.ADMIN
    return role


def tenants_administered_by(*, user) -> QuerySet[Tenant]:
    if user.is_superuser:
        return Tenant.objects.all()
    return Tenant.objects.filter(
        memberships__user=user, memberships__role=Role.ADMIN, is_active=True
    )


def members_of_tenant(*, tenant: Tenant) -> QuerySet[Membership]:
    """The members page list: administrators first, then managers, then sales, by name."""
    role_order = Case(
        When(role=Role.ADMIN, then=Value(0)),
        When(role=Role.MANAGER, then=Value(1)),
        default=Value(2),
    )
    return (
        Membership.objects.filter(tenant=tenant)
        .select_related("user")
        .order_by(role_order, "user__first_name", "user__last_name", "user__username")
    )


def is_last_admin(*, membership: Membership) -> bool:
    """True when this membership is the tenant's only administrator."""
    if membership.role != Role.ADMIN:
        return False
    return not (
        Membership.objects.filter(tenant_id=membership.tenant_id, role=Role.ADMIN)
        .exclude(pk=membership.pk)
        .exists()
    )


def invitation_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def accounts_with_email(email: str):
    """The accounts an address belongs to: by email, or by a username equal to it."""
    user_model = get_user_model()
    return user_model.objects.filter(Q(email__iexact=email) | Q(username__iexact=email))


def invitation_by_token(token: str) -> Invitation | None:
    """The open, unexpired invitation behind a link, or None."""
    return (
        Invitation.objects.select_related("tenant")
        .filter(
            token_hash=invitation_token_hash(token),
            accepted_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
            tenant__is_active=True,
        )
        .first()
    )


def invitation_is_for(invitation: Invitation, user) -> bool:
    return accounts_with_email(invitation.email).filter(pk=user.pk).exists()


def open_invitations(*, tenant: Tenant):
    """Invitations of the tenant not yet accepted or revoked, newest first (expired ones too,
    so the admin sees them and can invite again)."""
    return (
        Invitation.objects.filter(tenant=tenant, accepted_at__isnull=True, revoked_at__isnull=True)
        .select_related("invited_by")
        .order_by("-created_at", "-id")
    )
