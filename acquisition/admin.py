"""Admin: leads and acquisition costs are visible to tenant admins (support, history) and
changed only through the CRM's screens, which keep the status rules and the audit trail."""

from __future__ import annotations

from django.contrib import admin

from acquisition.models import AcquisitionCost, Lead
from crm.tenancy.admin import ReadOnlyTenantScopedAdmin


@admin.register(Lead)
class LeadAdmin(ReadOnlyTenantScopedAdmin):
    list_display = [
        "customer", "status", "source", "campaign", "source_detail", "owner", "created_at"
    ]  # fmt: skip
    list_filter = ["status", "source", "conversion"]
    list_select_related = ["customer", "owner", "campaign"]
    search_fields = ["=customer__email", "campaign__name", "source_detail"]
    show_full_result_count = False


@admin.register(AcquisitionCost)
class AcquisitionCostAdmin(ReadOnlyTenantScopedAdmin):
    list_display = ["month", "channel", "campaign", "amount", "entered_by"]
    list_filter = ["channel"]
    list_select_related = ["entered_by", "campaign"]
