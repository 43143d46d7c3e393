"""Base ModelAdmin for tenant-owned models.

Rows come from the scoped default manager, so a tenant admin's changelist, foreign-key choices
and lookups only ever contain their tenant's rows (the middleware activated the scope); the
tenant is set on save and never offered in the form. Superusers run unscoped and pick it.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.http import HttpRequest

from crm.fields import LocalizedDecimalField

# Decimals (weights, shares, thresholds, money) typed in the user's language: a text input read
# by crm.decimals, never <input type=number> (which turns a Turkish 12,5 into 125).
DECIMAL_OVERRIDES = {models.DecimalField: {"form_class": LocalizedDecimalField}}


def _is_superuser(request: HttpRequest) -> bool:
    return bool(request.user.is_active and request.user.is_superuser)


def may_configure(request: HttpRequest) -> bool:
    """Superusers, and the admins of the tenant the admin site is working on."""
    is_tenant_admin = (
        getattr(request, "tenant_role", None) == "admin"
        and getattr(request, "tenant", None) is not None
    )
    return _is_superuser(request) or is_tenant_admin


def plausible_initial_data(model: Any, initial: dict[str, Any]) -> dict[str, Any]:
    """The add page's initial values (from its query string) without those a field cannot
    hold: `?category=abc` would otherwise fail the whole page while rendering the select."""
    kept = {}
    for name, value in initial.items():
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            kept[name] = value
            continue
        target = field.target_field if field.is_relation and field.concrete else field
        values = value if isinstance(value, list) else [value]
        try:
            for item in values:
                target.to_python(item)
        except (ValidationError, TypeError, ValueError):
            continue
        kept[name] = value
    return kept


class TenantScopedAdmin(admin.ModelAdmin):
    formfield_overrides = DECIMAL_OVERRIDES

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        return plausible_initial_data(self.model, super().get_changeform_initial_data(request))

    def has_module_permission(self, request: HttpRequest) -> bool:
        return may_configure(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self.has_module_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def get_fields(self, request: HttpRequest, obj: Any = None):
        # Superusers must choose the tenant even when the admin lists its fields without it;
        # tenant admins never see it, even when it is listed.
        fields = [field for field in super().get_fields(request, obj) if field != "tenant"]
        return ["tenant", *fields] if _is_superuser(request) else fields

    def get_exclude(self, request: HttpRequest, obj: Any = None):
        exclude = list(super().get_exclude(request, obj) or [])
        if not _is_superuser(request):
            exclude.append("tenant")
        return exclude

    def get_list_display(self, request: HttpRequest):
        display = list(super().get_list_display(request))
        if _is_superuser(request) and "tenant" not in display:
            display.append("tenant")
        return display

    def get_list_filter(self, request: HttpRequest):
        filters = list(super().get_list_filter(request))
        if _is_superuser(request) and "tenant" not in filters:
            filters.append("tenant")
        return filters

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any):
        form = super().get_form(request, obj, change, **kwargs)
        if not _is_superuser(request):
            # Model validation (unique-per-tenant checks, clean()) needs the tenant before save.
            tenant = request.tenant

            class TenantForm(form):
                def __init__(self, *args: Any, **inner: Any) -> None:
                    super().__init__(*args, **inner)
                    if self.instance.tenant_id is None:
                        self.instance.tenant = tenant

            TenantForm.__name__ = form.__name__
            return TenantForm
        return form

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if not _is_superuser(request):
            obj.tenant = request.tenant
        super().save_model(request, obj, form, change)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        instances = formset.save(commit=False)
        for instance in instances:
            if getattr(instance, "tenant_id", False) is None:
                instance.tenant = form.instance.tenant
            instance.save()
        for deleted in formset.deleted_objects:
            deleted.delete()
        formset.save_m2m()


class ReadOnlyTenantScopedAdmin(TenantScopedAdmin):
    """Visible to tenant admins (support, history), changed only through the CRM's services."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class TenantScopedInline(admin.TabularInline):
    """Inline for tenant-owned children: the tenant is copied from the parent on save."""

    exclude = ("tenant",)
    extra = 0
    formfield_overrides = DECIMAL_OVERRIDES

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return may_configure(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return may_configure(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return may_configure(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return may_configure(request)
