"""Resolve the tenant from the URL path once per request and run the view inside its scope.

Every tenant page is routed as /<tenant_slug>/...; the middleware looks the slug up, checks
membership, and answers 404 to anyone who is not a member — the same answer as for a slug that
does not exist, so outsiders learn nothing. Pages outside a tenant (login, tenant picker) run
with no scope, so a query on tenant-owned data there raises instead of leaking.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import Resolver404, resolve
from django.utils import translation
from django_scopes import scope

from crm.models import Tenant
from crm.rls import all_tenants
from crm.tenancy.selectors import (
    memberships_for_user,
    role_in_tenant,
    tenants_administered_by,
)

ADMIN_TENANT_SESSION_KEY = "admin_tenant_id"


class TenantMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.tenant = None
        request.tenant_role = None
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return self.get_response(request)

        if "tenant_slug" in match.kwargs:
            return self._tenant_request(request, match.kwargs["tenant_slug"])
        if match.app_name == "admin":  # every AdminSite, whatever its namespace
            return self._admin_request(request)
        return self.get_response(request)

    def _tenant_request(self, request: HttpRequest, slug: str) -> HttpResponse:
        if not request.user.is_authenticated:
            # Same answer whether or not the slug exists: sign in first.
            return redirect_to_login(request.get_full_path())
        # The user's memberships (the tenant switcher lists them) give the tenant and the role
        # in one query; only a superuser outside the tenant needs the tenant read apart.
        memberships = list(memberships_for_user(user=request.user))
        membership = next((m for m in memberships if m.tenant.slug == slug), None)
        if membership is not None:
            tenant, role = membership.tenant, membership.role
        else:
            tenant = Tenant.objects.filter(slug=slug, is_active=True).first()
            if tenant is None:
                raise Http404
            role = role_in_tenant(user=request.user, tenant=tenant)
            if role is None:
                raise Http404
        request.tenant_memberships = memberships
        request.tenant = tenant
        request.tenant_role = role
        if request.session.get(ADMIN_TENANT_SESSION_KEY) != tenant.pk:
            # Written only on a change: a session write is an UPDATE and a commit per view.
            request.session[ADMIN_TENANT_SESSION_KEY] = tenant.pk
        if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
            # No personal choice yet: speak the tenant's language.
            translation.activate(tenant.default_language)
            request.LANGUAGE_CODE = tenant.default_language
        with scope(tenant=tenant):
            return self.get_response(request)

    def _admin_request(self, request: HttpRequest) -> HttpResponse:
        """Django admin: superusers see every tenant; a tenant admin sees their chosen tenant."""
        user = request.user
        if user.is_authenticated and user.is_superuser:
            with all_tenants(
                reason=f"admin {request.method} {request.path_info}"[:200], actor=user
            ):
                return self.get_response(request)
        tenant = None
        if user.is_authenticated:
            administered = tenants_administered_by(user=user)
            tenant_id = request.session.get(ADMIN_TENANT_SESSION_KEY)
            tenant = administered.filter(pk=tenant_id).first() or administered.first()
        request.tenant = tenant
        request.tenant_role = "admin" if tenant else None
        if tenant is None:
            return self.get_response(request)
        with scope(tenant=tenant):
            return self.get_response(request)
