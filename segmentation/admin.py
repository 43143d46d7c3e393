"""Tenant admins configure value keys and tiers here; every change is validated as a whole
(the tenant's other rows plus the edited ones) and audited with before/after."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import DecimalField, OuterRef, Subquery, Sum
from django.db.models.functions import Abs
from django.forms.models import BaseModelFormSet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import formats
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from crm.tenancy.admin import ReadOnlyTenantScopedAdmin, TenantScopedAdmin
from segmentation.models import ScoreRun, Tier, ValueKey
from segmentation.services import (
    KeyDraft,
    TierDraft,
    configuration_change_record,
    tiers_validate,
    value_keys_validate,
)
from segmentation.services.configuration import (
    TIER_FIELDS,
    VALUE_KEY_FIELDS,
    tier_snapshot,
    value_key_snapshot,
)
from segmentation.weight_preview import KeyWeight, weights_preview


def _tenant_of(form: forms.ModelForm) -> Any:
    return form.cleaned_data.get("tenant") or getattr(form.instance, "tenant", None)


def _key_draft(data: dict[str, Any]) -> KeyDraft:
    return KeyDraft(is_active=bool(data.get("is_active")), weight=data.get("weight") or 0)


def _tier_draft(data: dict[str, Any]) -> TierDraft:
    return TierDraft(
        position=data.get("position"),
        share_percent=data.get("share_percent"),
        min_score=data.get("min_score"),
    )


class _WholeConfigurationForm(forms.ModelForm):
    """Checks the tenant's configuration as it would be after saving this one row."""

    draft: Any
    validate: Any

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        tenant = _tenant_of(self)
        if self.errors or tenant is None:
            return cleaned
        others = self._meta.model.objects.with_scopes_disabled().filter(tenant=tenant)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        drafts = [type(self).draft(vars(row)) for row in others]
        type(self).validate([*drafts, type(self).draft(cleaned)])
        return cleaned


class ValueKeyForm(_WholeConfigurationForm):
    draft = staticmethod(_key_draft)
    validate = staticmethod(value_keys_validate)

    class Meta:
        model = ValueKey
        fields = ["tenant", *VALUE_KEY_FIELDS]


class TierForm(_WholeConfigurationForm):
    draft = staticmethod(_tier_draft)
    validate = staticmethod(tiers_validate)

    class Meta:
        model = Tier
        fields = ["tenant", *TIER_FIELDS]
        widgets = {"colour": forms.TextInput(attrs={"type": "color"})}


class _WholeConfigurationFormSet(BaseModelFormSet):
    """The changelist's list editing: the rows on the page are checked together."""

    draft: Any
    validate: Any

    def clean(self) -> None:
        super().clean()
        if any(form.errors for form in self.forms):
            return
        edited = {form.instance.pk: form for form in self.forms if form.instance.pk}
        tenants = {form.instance.tenant_id for form in edited.values()}
        for tenant_id in tenants:
            rows = self.model.objects.with_scopes_disabled().filter(tenant_id=tenant_id)
            drafts = []
            for row in rows:
                form = edited.get(row.pk)
                values = {**vars(row), **form.cleaned_data} if form else vars(row)
                drafts.append(type(self).draft(values))
            type(self).validate(drafts)


class ValueKeyFormSet(_WholeConfigurationFormSet):
    draft = staticmethod(_key_draft)
    validate = staticmethod(value_keys_validate)


class TierFormSet(_WholeConfigurationFormSet):
    draft = staticmethod(_tier_draft)
    validate = staticmethod(tiers_validate)


class _AuditedConfigurationAdmin(TenantScopedAdmin):
    snapshot: Any
    changelist_formset: type

    def get_changelist_formset(self, request: HttpRequest, **kwargs: Any):
        kwargs["formset"] = self.changelist_formset
        return super().get_changelist_formset(request, **kwargs)

    def get_actions(self, request: HttpRequest):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # one at a time, each checked and audited
        return actions

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        before = None
        if change and obj.pk:
            # The row as stored, in the tenant it was stored in (a superuser may move it).
            stored_tenant = form.initial.get("tenant", obj.tenant_id)
            previous = (
                type(obj)
                .objects.with_scopes_disabled()
                .filter(tenant_id=stored_tenant, pk=obj.pk)
                .first()
            )
            before = type(self).snapshot(previous) if previous else None
        super().save_model(request, obj, form, change)
        configuration_change_record(
            tenant=obj.tenant,
            actor=request.user,
            target=obj,
            before=before,
            after=type(self).snapshot(obj),
        )

    def delete_view(self, request: HttpRequest, object_id: str, extra_context=None):
        obj = self.get_object(request, object_id)
        if obj is not None and request.method == "POST":
            remaining = (
                type(obj)
                .objects.with_scopes_disabled()
                .filter(tenant=obj.tenant)
                .exclude(pk=obj.pk)
            )
            rules = self.form  # the same rules as when a row is saved
            try:
                rules.validate([rules.draft(vars(row)) for row in remaining])
            except ValidationError as error:
                for message in error.messages:
                    messages.error(request, message)
                opts = self.model._meta
                return HttpResponseRedirect(
                    reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
                )
        return super().delete_view(request, object_id, extra_context)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        before = type(self).snapshot(obj)
        configuration_change_record(
            tenant=obj.tenant, actor=request.user, target=obj, before=before, after=None
        )
        super().delete_model(request, obj)


@admin.register(ValueKey)
class ValueKeyAdmin(_AuditedConfigurationAdmin):
    form = ValueKeyForm
    changelist_formset = ValueKeyFormSet
    snapshot = staticmethod(value_key_snapshot)
    list_display = (
        "metric",
        "weight",
        "share_of_score",
        "window_days",
        "normalisation",
        "is_active",
        "order",
    )
    list_editable = ("weight", "window_days", "normalisation", "is_active", "order")
    list_filter = ("is_active", "metric")
    ordering = ("order", "id")
    fields = VALUE_KEY_FIELDS  # the fields the audit snapshot records
    change_list_template = "admin/segmentation/valuekey/change_list.html"

    def get_queryset(self, request: HttpRequest):
        # Σ|weight| of the tenant's active keys, in the list's one query (no query per row).
        total = (
            ValueKey.objects.with_scopes_disabled()
            .filter(tenant=OuterRef("tenant"), is_active=True)
            .values("tenant")
            .annotate(total=Sum(Abs("weight")))
            .values("total")
        )
        return (
            super()
            .get_queryset(request)
            .annotate(active_weight_total=Subquery(total, output_field=DecimalField()))
        )

    @admin.display(description=_("share of the score"))
    def share_of_score(self, key: ValueKey) -> str:
        """|weight| ÷ Σ|weight| of the active keys: the most points of 100 this key can give."""
        total = getattr(key, "active_weight_total", None)
        if not key.is_active or not total:
            return "—"
        share = (100 * abs(key.weight) / total).quantize(Decimal("0.1"))
        return f"{formats.number_format(share, 1)} %"

    def get_urls(self):
        preview = self.admin_site.admin_view(require_POST(self.preview_view))
        return [
            path("preview/", preview, name="segmentation_valuekey_preview"),
            *super().get_urls(),
        ]

    def preview_view(self, request: HttpRequest) -> HttpResponse:
        """The tier sizes the weights typed in the list would give, before saving (no writes):
        the list's own formset checks them, weights_preview counts in one statement."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        FormSet = self.get_changelist_formset(request)
        queryset = self._get_list_editable_queryset(request, FormSet.get_default_prefix())
        formset = FormSet(request.POST, request.FILES, queryset=queryset)
        context = {**self.admin_site.each_context(request), "opts": self.model._meta}
        context["title"] = _("Preview of the tier sizes")
        tenant = getattr(request, "tenant", None)
        if formset.is_valid():
            tenants = {form.instance.tenant for form in formset.forms} or {tenant}
            if len(tenants) != 1 or None in tenants:
                context["errors"] = [_("Preview the keys of one company at a time.")]
            else:
                weights = {
                    form.instance.pk: KeyWeight(
                        is_active=bool(form.cleaned_data.get("is_active")),
                        weight=form.cleaned_data.get("weight") or Decimal(0),
                    )
                    for form in formset.forms
                    if form.instance.pk
                }
                context["preview"] = weights_preview(tenant=tenants.pop(), weights=weights)
        else:
            errors = list(formset.non_form_errors())
            for form in formset.forms:
                for field_name, field_errors in form.errors.items():
                    label = form.fields[field_name].label if field_name in form.fields else ""
                    errors.extend(f"{form.instance}: {label} {e}".strip() for e in field_errors)
            context["errors"] = errors
        template = "admin/segmentation/valuekey/_preview.html"
        if not request.htmx:
            template = "admin/segmentation/valuekey/preview.html"
        return render(request, template, context)  # errors are shown like a form's, in 200


@admin.register(Tier)
class TierAdmin(_AuditedConfigurationAdmin):
    form = TierForm
    changelist_formset = TierFormSet
    snapshot = staticmethod(tier_snapshot)
    list_display = ("position", "name_tr", "name_en", "share_percent", "min_score", "colour")
    list_display_links = ("position", "name_tr")
    list_editable = ("share_percent", "min_score", "colour")
    ordering = ("position",)
    fields = TIER_FIELDS  # the fields the audit snapshot records

    def get_changelist_form(self, request: HttpRequest, **kwargs: Any):
        kwargs.setdefault("widgets", {})["colour"] = forms.TextInput(attrs={"type": "color"})
        return super().get_changelist_form(request, **kwargs)


@admin.register(ScoreRun)
class ScoreRunAdmin(ReadOnlyTenantScopedAdmin):
    """Read-only: what each recompute did (the weights used, counts, errors, timings)."""

    list_display = ("created_at", "trigger", "status", "finished_at", "customers_scored")
    list_filter = ("status", "trigger")
    ordering = ("-created_at",)
    readonly_fields = [field.name for field in ScoreRun._meta.fields if field.name != "tenant"]
