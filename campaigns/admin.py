"""Campaigns in the admin, for tenant admins: campaigns, their recipients, the do-not-contact
list and the SMS outbox are read-only (a log, or changed only through the CRM's screens, which
keep the status rules, the consent checks and the audit trail); the contact rules are changed
here through their service (audited)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from campaigns.models import Campaign, ContactRules, Recipient, SmsOutboxMessage, Suppression
from campaigns.services import CampaignError, contact_rules_update
from crm.tenancy.admin import ReadOnlyTenantScopedAdmin, TenantScopedAdmin


def _campaign_page(campaign: Campaign) -> str:
    return reverse(
        "campaigns:detail",
        kwargs={"tenant_slug": campaign.tenant.slug, "campaign_id": campaign.pk},
    )


@admin.register(Campaign)
class CampaignAdmin(ReadOnlyTenantScopedAdmin):
    list_display = ("name", "objective", "status", "audience_kind", "trigger", "starts_at",
                    "ends_at", "owner")  # fmt: skip
    list_filter = ("status", "objective", "trigger")
    list_select_related = ("owner", "tenant")
    search_fields = ("name",)
    date_hierarchy = "starts_at"

    def view_on_site(self, obj: Campaign) -> str:
        """ "View on site" opens the campaign's page in the CRM (results, actions)."""
        return _campaign_page(obj)


@admin.register(Recipient)
class RecipientAdmin(ReadOnlyTenantScopedAdmin):
    list_display = ("campaign", "customer", "occurrence", "group", "reason", "channel", "status",
                    "cost", "sent_at", "clicked_at", "outcome")  # fmt: skip
    list_filter = ("group", "status", "channel", "reason")
    list_select_related = ("campaign", "customer")
    search_fields = ("=customer__email", "campaign__name")
    # A big campaign has hundreds of thousands of rows: no second count for the "all" total.
    show_full_result_count = False


@admin.register(ContactRules)
class ContactRulesAdmin(TenantScopedAdmin):
    """The frequency cap, changed through contact_rules_update (checked and audited)."""

    list_display = ("max_contacts", "period_days")
    fields = ("max_contacts", "period_days")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # one per company, made with the defaults when first read

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        try:
            contact_rules_update(
                tenant=obj.tenant,
                actor=request.user,
                max_contacts=form.cleaned_data["max_contacts"],
                period_days=form.cleaned_data["period_days"],
            )
        except CampaignError as error:  # the form's validators already refuse these
            messages.error(request, str(error))


@admin.register(Suppression)
class SuppressionAdmin(ReadOnlyTenantScopedAdmin):
    """Added and removed on the customer's page (audited)."""

    list_display = ("customer", "reason", "created_by", "created_at")
    list_select_related = ("customer", "created_by")
    search_fields = ("=customer__email", "reason")


@admin.register(SmsOutboxMessage)
class SmsOutboxMessageAdmin(ReadOnlyTenantScopedAdmin):
    list_display = ("created_at", "phone", "campaign", "exported_at")
    list_filter = (("exported_at", admin.EmptyFieldListFilter),)
    list_select_related = ("recipient__campaign",)
    search_fields = ("=phone",)
    show_full_result_count = False

    @admin.display(description=_("campaign"), ordering="recipient__campaign__name")
    def campaign(self, obj: SmsOutboxMessage) -> Campaign:
        return obj.recipient.campaign
