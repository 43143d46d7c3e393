"""Named permissions per role, and the decorator that checks them on tenant pages.

Roles are ordered: sales < manager < admin; each role has every permission of the ones below.
A company may also give its sales staff some manager permissions (SALES_GRANTS, a flag on the
tenant). Wrong role in your own tenant: 403. Not a member: the middleware already answered 404.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from crm.models import Role, Tenant

ROLE_RANK = {Role.SALES: 1, Role.MANAGER: 2, Role.ADMIN: 3}

# permission name -> the least role that holds it
PERMISSIONS: dict[str, Role] = {
    "customers.view": Role.SALES,
    "customers.edit": Role.SALES,
    # Personal data of every customer in one file (KVKK data minimisation): managers by
    # default; a company may grant it to sales (Tenant.sales_may_export).
    "customers.export": Role.MANAGER,
    "customers.import": Role.MANAGER,
    "customers.pin_tier": Role.MANAGER,
    "dashboard.view": Role.MANAGER,
    "segments.manage": Role.MANAGER,
    "campaigns.manage": Role.MANAGER,
    "campaigns.call": Role.SALES,
    "reports.view": Role.MANAGER,
    "scores.recompute": Role.MANAGER,
    "leads.view": Role.SALES,
    "leads.edit": Role.SALES,
    "acquisition.costs": Role.MANAGER,
    "relationships.review": Role.MANAGER,
    "loyalty.view": Role.SALES,
    "loyalty.redeem": Role.SALES,
    "loyalty.adjust": Role.MANAGER,
    "loyalty.overview": Role.MANAGER,
    "loyalty.export": Role.MANAGER,
    "settings.manage": Role.ADMIN,
    "members.manage": Role.ADMIN,
}


def role_has_permission(role: str | None, permission: str) -> bool:
    if role is None:
        return False
    try:
        needed = PERMISSIONS[permission]
    except KeyError as exc:  # a typo must not silently grant or deny
        raise ValueError(f"Unknown permission {permission!r}") from exc
    return ROLE_RANK[Role(role)] >= ROLE_RANK[needed]


# Permissions a company may also give its sales staff: permission -> the Tenant flag that does.
SALES_GRANTS: dict[str, str] = {"customers.export": "sales_may_export"}


def member_has_permission(*, tenant: Tenant | None, role: str | None, permission: str) -> bool:
    """Whether a member with `role` in `tenant` holds `permission`, the tenant's grants to its
    sales staff included."""
    if role_has_permission(role, permission):
        return True
    flag = SALES_GRANTS.get(permission)
    return bool(role == Role.SALES and tenant is not None and flag and getattr(tenant, flag))


def tenant_permission_required(permission: str) -> Callable:
    """Decorate a tenant view: 403 unless the member's role holds `permission`."""
    if permission not in PERMISSIONS:
        raise ValueError(f"Unknown permission {permission!r}")

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if getattr(request, "tenant", None) is None:
                raise RuntimeError("tenant_permission_required used on a view outside a tenant")
            if not member_has_permission(
                tenant=request.tenant, role=request.tenant_role, permission=permission
            ):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.required_permission = permission  # type: ignore[attr-defined]
        return wrapped

    return decorator
