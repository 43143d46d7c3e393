"""Reads about tenants and memberships."""

from __future__ import annotations

from django.db.models import Case, QuerySet, Value, When

from crm.models import Membership, Role, Tenant


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
