"""Admin: tenant admins maintain their product catalogue; customer data is read-mostly here
(sales staff change it through the CRM screens, which keep the audit trail)."""

from __future__ import annotations

from django.contrib import admin

from crm.tenancy.admin import ReadOnlyTenantScopedAdmin, TenantScopedAdmin
from customers.models import (
    AgendaSettings,
    ConsentRecord,
    Customer,
    Feedback,
    ImportJob,
    Interaction,
    Product,
    ProductCategory,
    Transaction,
)


@admin.register(ProductCategory)
class ProductCategoryAdmin(TenantScopedAdmin):
    list_display = ["name", "parent"]
    search_fields = ["name"]
    autocomplete_fields = ["parent"]


@admin.register(Product)
class ProductAdmin(TenantScopedAdmin):
    list_display = ["name", "sku", "category", "list_price", "is_active"]
    list_filter = ["is_active", "category"]
    search_fields = ["name", "sku"]
    autocomplete_fields = ["category"]


@admin.register(Customer)
class CustomerAdmin(ReadOnlyTenantScopedAdmin):
    list_display = ["display_name", "kind", "city", "lifecycle_stage", "owner", "archived_at"]
    list_filter = ["kind", "lifecycle_stage", "archived_at"]
    # The search box on a million rows: exact identifiers only (indexed per tenant).
    search_fields = ["=email", "=tax_number", "=external_id"]
    list_select_related = ["owner"]
    show_full_result_count = False
    ordering = ["name_sort_key", "id"]


@admin.register(ConsentRecord)
class ConsentRecordAdmin(ReadOnlyTenantScopedAdmin):
    list_display = ["customer", "channel", "granted", "recorded_at", "source", "recorded_by"]
    list_filter = ["channel", "granted", "source"]
    list_select_related = ["customer", "recorded_by"]
    show_full_result_count = False


@admin.register(Transaction)
class TransactionAdmin(ReadOnlyTenantScopedAdmin):
    list_display = ["occurred_at", "customer", "amount", "currency", "status", "category"]
    list_filter = ["status", "kind"]
    list_select_related = ["customer", "category"]
    show_full_result_count = False


@admin.register(Interaction)
class InteractionAdmin(ReadOnlyTenantScopedAdmin):
    list_display = ["occurred_at", "customer", "channel", "subject", "user"]
    list_filter = ["channel", "direction"]
    list_select_related = ["customer", "user"]
    show_full_result_count = False


@admin.register(Feedback)
class FeedbackAdmin(ReadOnlyTenantScopedAdmin):
    list_display = ["opened_at", "customer", "kind", "status", "assignee", "resolved_at"]
    list_filter = ["kind", "status"]
    list_select_related = ["customer", "assignee"]
    show_full_result_count = False


@admin.register(ImportJob)
class ImportJobAdmin(ReadOnlyTenantScopedAdmin):
    list_display = ["created_at", "kind", "original_filename", "status", "rejected_rows"]
    list_filter = ["kind", "status"]


@admin.register(AgendaSettings)
class AgendaSettingsAdmin(TenantScopedAdmin):
    """The sales agenda's rules: one row per company (its defaults apply until it is added)."""

    list_display = ["__str__", "quiet_days", "high_value_tiers", "feedback_overdue_days"]

    def has_add_permission(self, request) -> bool:
        if not super().has_add_permission(request):
            return False
        return request.user.is_superuser or not self.get_queryset(request).exists()
