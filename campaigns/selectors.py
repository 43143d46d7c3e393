"""Reads of the campaign screens: the list, one campaign, the call list and the export files."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import Count, QuerySet
from django.shortcuts import get_object_or_404
from django_scopes import scope

from campaigns.models import (
    Campaign,
    CampaignStatus,
    Channel,
    Recipient,
    RecipientGroup,
    RecipientStatus,
    SmsOutboxMessage,
)
from campaigns.rendering import offer_text
from crm.models import Tenant
from customers.exporting import CsvStyle, csv_lines
from customers.selectors import PageSlice, page_without_count


def campaign_list(*, tenant: Tenant) -> QuerySet[Campaign]:
    return (
        Campaign.objects.filter(tenant=tenant)
        .select_related("owner")
        .order_by("-created_at", "-id")
    )


def campaign_detail(*, tenant: Tenant, campaign_id: int) -> Campaign:
    return get_object_or_404(
        Campaign.objects.filter(tenant=tenant).select_related(
            "owner", "audience_tier", "audience_product", "audience_category", "coupon_batch"
        ),
        pk=campaign_id,
    )


def campaign_queue_counts(*, tenant: Tenant, campaign: Campaign) -> dict[str, int]:
    """The campaign's contacts per status (queued, sent, failed, ...), one query."""
    return dict(
        Recipient.objects.filter(tenant=tenant, campaign=campaign, group=RecipientGroup.TARGET)
        .order_by()
        .values("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )


def triggered_audience_counts(*, tenant: Tenant, campaign: Campaign) -> dict[str, Any]:
    """A triggered campaign's audience so far, in the start summary's shape ({"audience",
    "target", "control", "excluded": {reason: count}}): its start froze nobody, each trigger
    occurrence adds to it. One query."""
    summary: dict[str, Any] = {"audience": 0, "target": 0, "control": 0, "excluded": {}}
    rows = (
        Recipient.objects.filter(tenant=tenant, campaign=campaign)
        .order_by()
        .values("group", "reason")
        .annotate(n=Count("id"))
        .values_list("group", "reason", "n")
    )
    for group, reason, count in rows:
        summary["audience"] += count
        if group == RecipientGroup.EXCLUDED:
            summary["excluded"][reason] = count
        else:
            summary[group] += count
    return summary


def call_list_page(*, tenant: Tenant, page: Any, page_size: int = 25) -> PageSlice:
    """Calls still to make in running campaigns, oldest campaign first (customer and campaign
    in the same query)."""
    queryset = (
        Recipient.objects.filter(
            tenant=tenant,
            channel=Channel.CALL,
            status=RecipientStatus.QUEUED,
            campaign__status=CampaignStatus.RUNNING,
        )
        .select_related("customer", "campaign__tenant", "coupon")
        .order_by("campaign_id", "-priority", "id")
    )
    page_slice = page_without_count(queryset, page=page, page_size=page_size)
    for recipient in page_slice.object_list:
        # What the caller reads out: the offer in the customer's language, with their name.
        recipient.offer_text = offer_text(
            campaign=recipient.campaign,
            language=recipient.customer.preferred_language,
            name=recipient.customer.display_name,
        )
    return page_slice


MAIL_HEADER = ["name", "address", "city", "country", "campaign", "offer", "code", "reference"]


def mail_export_lines(*, tenant: Tenant, campaign: Campaign, turkish_excel: bool) -> Iterator[str]:
    """Every letter of the campaign: name and address for the printer, the offer in the
    customer's language with their name, and their coupon code (streamed)."""
    style = CsvStyle(turkish_excel=turkish_excel, zone=tenant.zone)
    with scope(tenant=tenant):
        rows = (
            Recipient.objects.filter(
                tenant=tenant,
                campaign=campaign,
                channel=Channel.MAIL,
                status=RecipientStatus.SENT,
            )
            .order_by("id")
            .values_list(
                "customer__display_name",
                "customer__address",
                "customer__city",
                "customer__country",
                "customer__preferred_language",
                "coupon__code",
                "id",
            )
            .iterator(chunk_size=2000)
        )
        letters = (
            (name, address, city, country, campaign.name,
             offer_text(campaign=campaign, language=language, name=name), code or "", pk)
            for name, address, city, country, language, code, pk in rows
        )  # fmt: skip
        yield from csv_lines(MAIL_HEADER, letters, style)


SMS_HEADER = ["phone", "text", "reference"]


def sms_outbox_lines(*, tenant: Tenant, campaign: Campaign, turkish_excel: bool) -> Iterator[str]:
    """The campaign's SMS in the outbox, for the provider's upload (streamed)."""
    style = CsvStyle(turkish_excel=turkish_excel, zone=tenant.zone)
    with scope(tenant=tenant):
        rows = (
            SmsOutboxMessage.objects.filter(tenant=tenant, recipient__campaign=campaign)
            .order_by("id")
            .values_list("phone", "text", "recipient_id")
            .iterator(chunk_size=2000)
        )
        yield from csv_lines(SMS_HEADER, rows, style)
