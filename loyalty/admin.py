"""Loyalty configuration for tenant admins (programme, tier multipliers, bonus rules, rewards,
coupon batches, cashback rules) and the ledger's history, read-only: who did what."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.validators import MaxValueValidator, MinValueValidator
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from crm.audit import audit_log
from crm.tenancy.admin import ReadOnlyTenantScopedAdmin, TenantScopedAdmin
from loyalty.models import (
    BonusRule,
    CashbackAward,
    CashbackRule,
    Coupon,
    CouponBatch,
    CouponUse,
    Member,
    PointsEntry,
    Programme,
    Reward,
    RewardRedemption,
    TierMultiplier,
)
from loyalty.services.coupons import MAX_BATCH, coupon_batch_create


class _AuditedAdmin(TenantScopedAdmin):
    """Configuration changes leave an audit entry (loyalty.<model>.changed)."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        audit_log(
            tenant=obj.tenant,
            actor=request.user,
            action=f"loyalty.{obj._meta.model_name}.{'changed' if change else 'created'}",
            target=obj,
            data={"fields": sorted(form.changed_data)},
        )


@admin.register(Programme)
class ProgrammeAdmin(_AuditedAdmin):
    list_display = ("name", "is_active", "points_per_unit", "return_window_days", "expiry_months")
    fields = (
        "name",
        "is_active",
        "starts_on",
        "points_per_unit",
        "point_value",
        "currency",
        "return_window_days",
        "expiry_months",
        "welcome_bonus",
        "min_redeem_balance",
        "enrolment",
    )


@admin.register(TierMultiplier)
class TierMultiplierAdmin(_AuditedAdmin):
    list_display = ("tier", "multiplier", "benefits")
    fields = ("tier", "multiplier", "benefits")


@admin.register(BonusRule)
class BonusRuleAdmin(_AuditedAdmin):
    list_display = (
        "name",
        "multiplier",
        "category",
        "channel",
        "starts_on",
        "ends_on",
        "is_active",
    )
    list_filter = ("is_active",)
    fields = ("name", "multiplier", "category", "channel", "starts_on", "ends_on", "is_active")


@admin.register(Reward)
class RewardAdmin(_AuditedAdmin):
    list_display = ("name", "points_cost", "stock", "starts_on", "ends_on", "is_active")
    list_filter = ("is_active",)
    fields = (
        "name",
        "description",
        "points_cost",
        "stock",
        "starts_on",
        "ends_on",
        "is_active",
        "tiers",
    )
    filter_horizontal = ("tiers",)


class CouponBatchForm(forms.ModelForm):
    size = forms.IntegerField(
        label=_("codes"),
        initial=1,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_BATCH)],
        help_text=_("How many codes to generate (scratch cards: up to 200,000)."),
    )

    class Meta:
        model = CouponBatch
        # The admin lists the fields (segment too) when it builds the form inside the
        # tenant's scope; a scoped foreign key here would be queried at import time.
        fields = ("name",)


@admin.register(CouponBatch)
class CouponBatchAdmin(TenantScopedAdmin):
    """Batches are made by the service (codes generated in bulk) and not changed afterwards:
    printed scratch cards keep their terms."""

    form = CouponBatchForm
    fields = (
        "name", "discount_type", "value", "min_spend", "valid_until", "max_uses", "segment",
        "size",
    )  # fmt: skip
    list_display = (
        "name",
        "discount_type",
        "value",
        "min_spend",
        "valid_until",
        "size",
        "created_at",
    )

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        data = form.cleaned_data
        batch = coupon_batch_create(
            tenant=obj.tenant,
            actor=request.user,
            name=data["name"],
            discount_type=data["discount_type"],
            value=data["value"],
            min_spend=data["min_spend"],
            valid_until=data["valid_until"],
            max_uses=data["max_uses"],
            segment=data["segment"],
            size=data["size"],
        )
        obj.pk = batch.pk
        obj.created_at = batch.created_at


@admin.register(CashbackRule)
class CashbackRuleAdmin(_AuditedAdmin):
    list_display = ("name", "period", "threshold", "points", "coupon_batch", "is_active")
    fields = ("name", "period", "threshold", "points", "coupon_batch", "is_active")


@admin.register(Member)
class MemberAdmin(ReadOnlyTenantScopedAdmin):
    list_display = ("customer", "available", "pending", "enrolled_at", "left_at")
    list_select_related = ("customer",)
    search_fields = ("customer__display_name",)


@admin.register(PointsEntry)
class PointsEntryAdmin(ReadOnlyTenantScopedAdmin):
    list_display = (
        "created_at", "member", "kind", "source", "available_delta", "pending_delta", "reason",
        "created_by",
    )  # fmt: skip
    list_filter = ("kind", "source")
    list_select_related = ("member__customer", "created_by")
    search_fields = ("reason", "idempotency_key")
    date_hierarchy = "created_at"


@admin.register(Coupon)
class CouponAdmin(ReadOnlyTenantScopedAdmin):
    list_display = ("code", "batch", "customer", "uses", "max_uses")
    list_select_related = ("batch", "customer")
    search_fields = ("code",)


@admin.register(RewardRedemption)
class RewardRedemptionAdmin(ReadOnlyTenantScopedAdmin):
    list_display = ("created_at", "reward", "member", "points", "created_by")
    list_select_related = ("reward", "member__customer", "created_by")


@admin.register(CouponUse)
class CouponUseAdmin(ReadOnlyTenantScopedAdmin):
    list_display = ("used_at", "coupon", "customer", "spend", "discount", "created_by")
    list_select_related = ("coupon", "customer", "created_by")


@admin.register(CashbackAward)
class CashbackAwardAdmin(ReadOnlyTenantScopedAdmin):
    list_display = ("created_at", "rule", "customer", "period_start", "spent", "coupon")
    list_select_related = ("rule", "customer", "coupon")
