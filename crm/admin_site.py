"""The tenant-aware Django admin: tenant admins configure their own tenant, superusers all.

A tenant admin needs no is_staff flag: the middleware picks the tenant they last worked in
(or the first one they administer), and the admin header says which one is being configured.
"""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from crm.tenancy.selectors import tenants_administered_by


class TenantAdminSite(admin.AdminSite):
    site_header = _("CRM administration")
    site_title = _("CRM administration")
    index_title = _("Configuration")

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        if not (user.is_active and user.is_authenticated):
            return False
        return user.is_superuser or getattr(request, "tenant_role", None) == "admin"

    def login(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        """A signed-in member who may not configure (a manager, a rep) gets a plain "no access"
        page, not the admin's sign-in form asking them to sign in as someone else."""
        if request.user.is_authenticated and not self.has_permission(request):
            return render(request, "admin/no_access.html", status=403)
        return super().login(request, extra_context)

    def each_context(self, request: HttpRequest) -> dict:
        context = super().each_context(request)
        tenant = getattr(request, "tenant", None)
        context["admin_tenant"] = tenant
        user = request.user
        if user.is_authenticated and not user.is_superuser and tenant is not None:
            # The other companies this person may configure, for the switcher in the header.
            context["admin_other_tenants"] = list(
                tenants_administered_by(user=user).exclude(pk=tenant.pk).order_by("name")
            )
        return context
