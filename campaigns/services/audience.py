"""Starting a campaign and evaluating its triggers: the audience frozen into Recipient rows in
two set-based statements (see campaigns/sql/__init__.py for the rules and their order)."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext

from campaigns import sql
from campaigns.models import (
    MARGIN_RANKED_OBJECTIVES,
    AudienceKind,
    Campaign,
    CampaignStatus,
    Recipient,
    RecipientGroup,
)
from campaigns.services.rules import contact_rules_for
from campaigns.services.sending import offline_coupons_issue
from crm.audit import audit_log
from crm.models import Tenant
from crm.whole_tenant import stale_statistics_refresh, whole_tenant_planning
from customers.models import Customer
from prediction.selectors import next_best_customers
from segmentation.models import CustomerScore, SegmentSnapshotMember
from segmentation.services.segments import segment_snapshot_create

# "Expected margin" for up-sell and cross-sell: the margin of the customer's purchases in the
# last year, the best plain predictor of what their next purchases will leave.
EXPECTED_MARGIN_DAYS = 365
# Memory per sort or hash of a start (for its transaction only).
START_WORK_MEM = "64MB"


def audience_queryset(*, tenant: Tenant, campaign: Campaign) -> QuerySet:
    """The campaign's audience as one query of (customer id, score) rows, one per customer
    (never evaluated in Python): a saved segment's members, a tier of the pyramid, a lifecycle
    stage (e.g. prospects), or the customers with a product among their next best (cross-sell)."""
    if campaign.audience_kind == AudienceKind.SEGMENT:
        # Frozen first (one INSERT ... SELECT in segmentation), so the campaign keeps the list
        # of who was in the segment when it started, with the scores it ranks them by.
        snapshot = segment_snapshot_create(
            tenant=tenant,
            segment=campaign.segment,
            note=gettext("Campaign: %(name)s") % {"name": campaign.name},
        )
        Campaign.objects.filter(pk=campaign.pk).update(snapshot=snapshot)
        campaign.snapshot = snapshot
        return SegmentSnapshotMember.objects.filter(tenant=tenant, snapshot=snapshot).values(
            "customer_id", "score"
        )
    if campaign.audience_kind == AudienceKind.TIER:
        return CustomerScore.objects.filter(
            tenant=tenant, tier_id=campaign.audience_tier_id
        ).values("customer_id", "score")
    if campaign.audience_kind == AudienceKind.NEXT_BEST:
        # Read-only use of prediction's stored suggestions (its selector owns the matching).
        return (
            next_best_customers(
                tenant=tenant,
                product_id=campaign.audience_product_id,
                category_id=campaign.audience_category_id,
            )
            .values("id", "score__score")
            .distinct()
        )
    return Customer.objects.filter(tenant=tenant, lifecycle_stage=campaign.audience_stage).values(
        "id", "score__score"
    )


def _insert_params(*, tenant: Tenant, campaign: Campaign, now: datetime, spent: Decimal) -> dict:
    rules = contact_rules_for(tenant=tenant)
    by_margin = campaign.objective in MARGIN_RANKED_OBJECTIVES
    return {
        "tenant": tenant.pk,
        "campaign": campaign.pk,
        "now": now,
        "channels": list(campaign.channels),
        "cost_email": campaign.cost_email,
        "cost_sms": campaign.cost_sms,
        "cost_call": campaign.cost_call,
        "cost_mail": campaign.cost_mail,
        "budget": campaign.budget,
        "spent": spent,
        "control_basis_points": campaign.control_percent * 100,
        "cap": rules.max_contacts,
        "cap_since": now - timedelta(days=rules.period_days),
        "by_margin": by_margin,
        "margin_since": now - timedelta(days=EXPECTED_MARGIN_DAYS),
    }


def _recipients_insert(
    *, tenant: Tenant, campaign: Campaign, now: datetime, triggered: bool
) -> list[tuple[str, str, int, Decimal]]:
    """campaign_audience (already filled) → Recipient rows; returns what was written as
    (group, reason, count, cost) rows. A start writes into a campaign without rows (nothing
    spent, no conflict possible); a trigger adds to what earlier occurrences wrote."""
    spent = Decimal("0")
    if triggered:
        spent = Recipient.objects.filter(
            tenant=tenant, campaign=campaign, group=RecipientGroup.TARGET
        ).aggregate(total=Sum("cost"))["total"] or Decimal("0")
    params = _insert_params(tenant=tenant, campaign=campaign, now=now, spent=spent)
    statement = sql.recipients_insert(by_margin=params["by_margin"], triggered=triggered)
    with connection.cursor() as cursor, whole_tenant_planning():
        cursor.execute("ANALYZE campaign_audience")
        cursor.execute(statement, params)
        return cursor.fetchall()


# The tables the start and the triggers read for every audience member.
READ_TABLES = [
    "campaigns_recipient",
    "campaigns_suppression",
    "customers_customer",
    "customers_transaction",
    "segmentation_customerscore",
]


def _summary(rows: list[tuple[str, str, int, Decimal]]) -> dict[str, Any]:
    """Counts per group and per reason left out, for the campaign page."""
    summary: dict[str, Any] = {"audience": 0, "target": 0, "control": 0, "excluded": {}}
    cost = Decimal("0")
    for group, reason, count, group_cost in rows:
        summary["audience"] += count
        cost += group_cost
        if group == RecipientGroup.EXCLUDED:
            summary["excluded"][reason] = count
        else:
            summary[group] += count
    summary["cost"] = str(cost)
    return summary


def campaign_start(
    *, tenant: Tenant, campaign_id: int, now: datetime | None = None
) -> Campaign | None:
    """Scheduled → running, and the audience frozen into recipients, in one transaction (a
    failure leaves the campaign scheduled). Claimed with a conditional UPDATE: a second
    delivery of the task finds nothing to do and returns None."""
    if not connection.in_atomic_block:  # ANALYZE outside: inside, it holds its lock to the end
        stale_statistics_refresh(tables=READ_TABLES)
    return _campaign_start(tenant=tenant, campaign_id=campaign_id, now=now)


@transaction.atomic
def _campaign_start(*, tenant: Tenant, campaign_id: int, now: datetime | None) -> Campaign | None:
    now = now or timezone.now()
    claimed = Campaign.objects.filter(
        pk=campaign_id, tenant=tenant, status=CampaignStatus.SCHEDULED, starts_at__lte=now
    ).update(status=CampaignStatus.RUNNING, started_at=now)
    if not claimed:
        return None
    campaign = Campaign.objects.get(pk=campaign_id, tenant=tenant)
    with connection.cursor() as cursor:
        # The snapshot's and the rules' joins and the budget's sort over the whole audience
        # in memory: with the default 4 MB, 200,000 members spilled them to disk.
        cursor.execute("SELECT set_config('work_mem', %s, true)", [START_WORK_MEM])
    steps: dict[str, float] = {}
    began = time.monotonic()
    written: list[tuple[str, str, int, Decimal]] = []  # a triggered campaign starts empty
    if not campaign.is_triggered:
        audience = audience_queryset(tenant=tenant, campaign=campaign)
        steps["snapshot"] = round(time.monotonic() - began, 2)
        ids_sql, ids_params = audience.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(sql.statement("audience_table"))
            cursor.execute(
                f"INSERT INTO campaign_audience (customer_id, occurrence, score) "
                f"SELECT q.customer_id, '', q.score FROM ({ids_sql}) q(customer_id, score)",
                ids_params,
            )
        steps["audience"] = round(time.monotonic() - began - sum(steps.values()), 2)
        written = _recipients_insert(tenant=tenant, campaign=campaign, now=now, triggered=False)
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE campaign_audience")
        steps["rules"] = round(time.monotonic() - began - sum(steps.values()), 2)
        if offline_coupons_issue(tenant=tenant, campaign=campaign):
            steps["coupons"] = round(time.monotonic() - began - sum(steps.values()), 2)
    summary = _summary(written)
    summary["seconds"] = round(time.monotonic() - began, 2)
    summary["steps"] = steps
    Campaign.objects.filter(pk=campaign.pk).update(start_summary=summary)
    campaign.start_summary = summary
    audit_log(
        tenant=tenant,
        actor=None,
        action="campaigns.campaign.started",
        target=campaign,
        data=summary,
    )
    return campaign


def _trigger_params(*, tenant: Tenant, campaign: Campaign, now: datetime) -> dict[str, Any]:
    return {
        "tenant": tenant.pk,
        "campaign": campaign.pk,
        "since": campaign.started_at,
        "now": now,
        "today": now.astimezone(tenant.zone).date(),
        "timezone": tenant.timezone,
        "days": campaign.trigger_days or 0,
        "amount": campaign.trigger_amount or Decimal("0"),
        "channel": campaign.trigger_channel,
    }


def trigger_evaluate(*, tenant: Tenant, campaign: Campaign, now: datetime) -> int:
    """New occurrences of the campaign's trigger → recipients under the same rules (consent,
    cap, do-not-contact, budget left, control split). Returns the new recipients' count."""
    fill = sql.statement("trigger_audience_fill").replace(
        "{trigger}", sql.trigger_audience(campaign.trigger)
    )
    if not connection.in_atomic_block:
        stale_statistics_refresh(tables=READ_TABLES)
    with transaction.atomic():
        # One evaluation per campaign at a time: a second one waits and then finds the rows.
        locked = (
            Campaign.objects.select_for_update()
            .filter(pk=campaign.pk, status=CampaignStatus.RUNNING)
            .first()
        )
        if locked is None:
            return 0
        with connection.cursor() as cursor:
            cursor.execute(sql.statement("audience_table"))
            cursor.execute(fill, _trigger_params(tenant=tenant, campaign=campaign, now=now))
            if cursor.rowcount == 0:
                cursor.execute("DROP TABLE campaign_audience")
                return 0
        written = _recipients_insert(tenant=tenant, campaign=locked, now=now, triggered=True)
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE campaign_audience")
        offline_coupons_issue(tenant=tenant, campaign=locked)
    return sum(count for _group, _reason, count, _cost in written)


def triggers_evaluate(*, tenant: Tenant, now: datetime | None = None) -> dict[int, int]:
    """Every running triggered campaign of the tenant: {campaign id: new recipients}."""
    now = now or timezone.now()
    campaigns = Campaign.objects.filter(
        tenant=tenant, status=CampaignStatus.RUNNING, ends_at__gt=now
    ).exclude(trigger="")
    return {
        campaign.pk: trigger_evaluate(tenant=tenant, campaign=campaign, now=now)
        for campaign in campaigns
    }
