"""Template context for every page: the tenant, the role's navigation and the tenant switcher."""

from __future__ import annotations

from django.http import HttpRequest

from crm.models import Role
from crm.navigation import menu_for
from crm.tenancy.permissions import PERMISSIONS, member_has_permission
from crm.tenancy.selectors import memberships_for_user


def tenant_navigation(request: HttpRequest) -> dict:
    # A page renders its panels and partials with render_to_string(request=...), and each of
    # those runs the context processors again: compute the menu once per request.
    cached = getattr(request, "_tenant_navigation", None)
    if cached is None:
        cached = request._tenant_navigation = _tenant_navigation(request)
    return cached


def _tenant_navigation(request: HttpRequest) -> dict:
    tenant = getattr(request, "tenant", None)
    role = getattr(request, "tenant_role", None)
    context: dict = {
        "current_tenant": tenant,
        "current_role": role,
        "current_role_label": Role(role).label if role else "",
    }
    match = getattr(request, "resolver_match", None)
    if tenant is None or (match is not None and match.app_name == "admin"):
        # Admin pages have their own header (templates/admin/base_site.html).
        return context
    context["menu_items"] = menu_for(tenant=tenant, role=role, current_path=request.path)
    # Read by the tenant middleware already, for the tenant and role of the request.
    memberships = getattr(request, "tenant_memberships", None)
    if memberships is None:
        memberships = memberships_for_user(user=request.user)
    context["tenant_memberships"] = memberships
    # perms_in_tenant.dashboard_view style lookups for templates
    context["tenant_perms"] = {
        name.replace(".", "_"): member_has_permission(tenant=tenant, role=role, permission=name)
        for name in PERMISSIONS
    }
    return context
