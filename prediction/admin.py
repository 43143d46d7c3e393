"""Tenant admins tune the predictions and the relationship review here (one settings row per
company, created on first use; every change audited); runs are read-only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.forms.models import model_to_dict
from django.http import HttpRequest

from crm.audit import audit_log
from crm.tenancy.admin import ReadOnlyTenantScopedAdmin, TenantScopedAdmin
from prediction.models import PredictionRun, PredictionSettings


@admin.register(PredictionSettings)
class PredictionSettingsAdmin(TenantScopedAdmin):
    list_display = ["__str__", "monthly_discount_rate", "min_repeat_buyers", "updated_at"]
    fieldsets = [
        (None, {"fields": ["monthly_discount_rate", "horizon_months", "propensity_days"]}),
        (None, {"fields": ["min_repeat_buyers"]}),
        (
            None,
            {
                "fields": [
                    "review_window_days",
                    "complaints_per_purchase",
                    "min_complaints",
                    "late_share",
                    "late_days",
                    "discount_percent",
                    "deal_share",
                    "refund_share",
                    "min_refunds",
                    "cost_per_contact",
                    "cost_per_order",
                    "cost_per_complaint",
                    "cost_per_reward",
                    "cost_per_coupon",
                ]
            },
        ),
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # one row per company, made on first use

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        before = {name: str(value) for name, value in form.initial.items()}
        super().save_model(request, obj, form, change)
        after = {name: str(value) for name, value in model_to_dict(obj).items()}
        changed = {
            name: {"from": before.get(name), "to": after[name]}
            for name in form.changed_data
            if name in after
        }
        audit_log(
            tenant=obj.tenant,
            actor=request.user,
            action="prediction.settings.changed",
            target=obj,
            data={"changes": changed},
        )


@admin.register(PredictionRun)
class PredictionRunAdmin(ReadOnlyTenantScopedAdmin):
    list_display = [
        "as_of",
        "status",
        "trigger",
        "is_live",
        "customers",
        "repeat_buyers",
        "created_at",
    ]
    list_filter = ["status", "trigger"]
