"""The tenant-aware Django admin: tenant admins configure their own tenant, superusers all."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _


class TenantAdminSite(admin.AdminSite):
    site_header = _("CRM administration")
    site_title = _("CRM administration")
    index_title = _("Configuration")

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        if not (user.is_active and user.is_authenticated):
            return False
        return user.is_superuser or getattr(request, "tenant_role", None) == "admin"

    def each_context(self, request: HttpRequest) -> dict:
        context = super().each_context(request)
        context["admin_tenant"] = getattr(request, "tenant", None)
        return context
