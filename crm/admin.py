"""Admin for tenants, memberships and the audit trail."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from crm.models import AuditEntry, Membership, Tenant
from crm.tenancy.admin import TenantScopedAdmin, may_configure


@admin.register(Tenant)
class TenantAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "timezone", "currency", "default_language", "is_active")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}

    def get_queryset(self, request: HttpRequest):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(pk=getattr(request.tenant, "pk", None))

    def has_module_permission(self, request: HttpRequest) -> bool:
        return may_configure(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return may_configure(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return may_configure(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None):
        return () if request.user.is_superuser else ("slug", "is_active")


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "tenant", "created_at")
    list_filter = ("role",)
    search_fields = ("user__username", "user__email")

    def get_queryset(self, request: HttpRequest):
        qs = super().get_queryset(request).select_related("user", "tenant")
        if request.user.is_superuser:
            return qs
        return qs.filter(tenant=request.tenant)

    def formfield_for_foreignkey(self, db_field, request: HttpRequest, **kwargs: Any):
        if not request.user.is_superuser:
            if db_field.name == "tenant":
                kwargs["queryset"] = Tenant.objects.filter(pk=request.tenant.pk)
            if db_field.name == "user":
                # Tenant admins pick among their own tenant's members only; new people are
                # added from the Members page, which creates the account.
                kwargs["queryset"] = db_field.related_model.objects.filter(
                    memberships__tenant=request.tenant
                )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return may_configure(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return may_configure(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return may_configure(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return may_configure(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return may_configure(request)


@admin.register(AuditEntry)
class AuditEntryAdmin(TenantScopedAdmin):
    list_display = ("created_at", "action", "actor", "object_type", "object_id")
    list_filter = ("action",)
    search_fields = ("action", "object_id")
    readonly_fields = ("created_at", "action", "actor", "object_type", "object_id", "data")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
