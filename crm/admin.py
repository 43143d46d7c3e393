"""Admin for tenants, memberships and the audit trail."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from crm.audit import audit_log
from crm.models import AuditEntry, CrossTenantAccess, Membership, Role, Tenant
from crm.services import member_remove, member_role_change, membership_set
from crm.tenancy.admin import ReadOnlyTenantScopedAdmin, may_configure
from crm.tenancy.selectors import is_last_admin


class ConfiguredByTenantAdmins(admin.ModelAdmin):
    """Tenants and memberships: a tenant's admins see and change their own, only superusers add."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return may_configure(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return may_configure(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return may_configure(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser


@admin.register(Tenant)
class TenantAdmin(ConfiguredByTenantAdmins):
    list_display = ("name", "slug", "timezone", "currency", "default_language", "is_active")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}

    def get_queryset(self, request: HttpRequest):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(pk=getattr(request.tenant, "pk", None))

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None):
        return () if request.user.is_superuser else ("slug", "is_active")

    def get_prepopulated_fields(self, request: HttpRequest, obj: Any = None) -> dict:
        # A read-only slug cannot be prepopulated (the change page would fail).
        return self.prepopulated_fields if request.user.is_superuser else {}

    def save_model(self, request: HttpRequest, obj: Tenant, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if change and "sales_may_export" in form.changed_data:
            # Who let sales staff take personal data out, and when (KVKK).
            audit_log(
                tenant=obj,
                actor=request.user,
                action="crm.tenant.sales_export_changed",
                target=obj,
                data={"sales_may_export": obj.sales_may_export},
            )


class MembershipAdminForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ("user", "tenant", "role")

    def clean_role(self) -> str:
        role = self.cleaned_data["role"]
        if self.instance.pk and role != Role.ADMIN and is_last_admin(membership=self.instance):
            raise forms.ValidationError(
                _("This is the company's only administrator; make someone else one first.")
            )
        return role


@admin.register(Membership)
class MembershipAdmin(ConfiguredByTenantAdmins):
    """Roles can be changed here too, under the same rules as on the Members page (the same
    services run); people are added from the Members page, which creates their account."""

    form = MembershipAdminForm
    list_display = ("user", "role", "tenant", "created_at")
    list_filter = ("role",)
    search_fields = ("user__username", "user__email", "user__first_name", "user__last_name")

    def get_queryset(self, request: HttpRequest):
        qs = super().get_queryset(request).select_related("user", "tenant")
        if request.user.is_superuser:
            return qs
        return qs.filter(tenant=request.tenant)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None):
        # A membership is re-roled or removed, never moved to another person or tenant; only
        # superusers add one, so the user and tenant fields are only ever offered to them.
        return ("user", "tenant") if obj is not None else ()

    def get_actions(self, request: HttpRequest):
        actions = super().get_actions(request)
        # One at a time, through member_remove, so the last-admin rule always holds.
        actions.pop("delete_selected", None)
        return actions

    def save_model(self, request: HttpRequest, obj: Membership, form: Any, change: bool) -> None:
        if change:
            member_role_change(tenant=obj.tenant, actor=request.user, membership=obj, role=obj.role)
        else:
            membership_set(tenant=obj.tenant, user=obj.user, role=obj.role, actor=request.user)

    def delete_model(self, request: HttpRequest, obj: Membership) -> None:
        member_remove(tenant=obj.tenant, actor=request.user, membership=obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and is_last_admin(membership=obj):
            return False
        return may_configure(request)


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyTenantScopedAdmin):
    list_display = ("created_at", "action", "actor", "object_type", "object_id")
    list_filter = ("action",)
    search_fields = ("action", "object_id")
    readonly_fields = ("created_at", "action", "actor", "object_type", "object_id", "data")


@admin.register(CrossTenantAccess)
class CrossTenantAccessAdmin(admin.ModelAdmin):
    """Who used the row-level security bypass, and why: superusers only, read-only."""

    list_display = ("created_at", "reason", "actor")
    search_fields = ("reason",)
    date_hierarchy = "created_at"
    readonly_fields = ("created_at", "reason", "actor")

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
