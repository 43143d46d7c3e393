"""Planning a campaign and moving it through its statuses: draft → scheduled → running →
finished, or cancelled; only the moves in models.STATUS_TRANSITIONS are allowed, each one a
conditional UPDATE on the status it leaves (a double click moves it once)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campaigns.models import (
    COST_FIELD_BY_CHANNEL,
    STATUS_TRANSITIONS,
    AudienceKind,
    Campaign,
    CampaignStatus,
    Channel,
    Objective,
    Recipient,
    RecipientStatus,
    TriggerKind,
)
from campaigns.services.errors import CampaignError
from crm.audit import audit_log, user_or_none
from crm.models import Membership, Tenant
from loyalty.models import Programme

CAMPAIGN_FIELDS = frozenset(
    {
        "name",
        "objective",
        "audience_kind",
        "audience_tier",
        "audience_stage",
        "segment",
        "audience_product",
        "audience_category",
        "trigger",
        "trigger_days",
        "trigger_amount",
        "trigger_channel",
        "channels",
        *COST_FIELD_BY_CHANNEL.values(),
        "budget",
        "control_percent",
        "subject_tr",
        "body_tr",
        "subject_en",
        "body_en",
        "offer_url",
        "coupon_batch",
        "bonus_points",
        "starts_at",
        "ends_at",
        "send_from",
        "send_until",
        "attribution_days",
        "owner",
    }
)
# Channels whose message is written text: they need an offer text.
TEXT_CHANNELS = frozenset({Channel.EMAIL, Channel.SMS})


def _validate(campaign: Campaign) -> None:
    if not campaign.name.strip():
        raise CampaignError(_("Give the campaign a name."))
    if not campaign.channels:
        raise CampaignError(_("Choose at least one channel."))
    if len(set(campaign.channels)) != len(campaign.channels) or not set(campaign.channels) <= set(
        Channel.values
    ):
        raise CampaignError(_("Choose each channel once."))
    if campaign.ends_at <= campaign.starts_at:
        raise CampaignError(_("The campaign must end after it starts."))
    if campaign.send_until <= campaign.send_from:
        raise CampaignError(_("The send window must end after it begins."))
    if not 0 <= campaign.control_percent <= 50:
        raise CampaignError(_("The control group is between 0 and 50 percent of the audience."))
    for field in COST_FIELD_BY_CHANNEL.values():
        if getattr(campaign, field) < 0:
            raise CampaignError(_("A cost per contact cannot be negative."))
    if campaign.budget is not None and campaign.budget < 0:
        raise CampaignError(_("The budget cannot be negative."))
    if not campaign.trigger:
        _validate_audience(campaign)
    elif campaign.trigger == TriggerKind.NO_PURCHASE and not campaign.trigger_days:
        raise CampaignError(_("Say after how many days without a purchase the offer goes out."))
    elif campaign.trigger == TriggerKind.SPEND_THRESHOLD and not (
        campaign.trigger_amount and campaign.trigger_amount > 0
    ):
        raise CampaignError(_("Give the spend threshold."))
    elif campaign.trigger == TriggerKind.NEW_FROM_CHANNEL and not campaign.trigger_channel:
        raise CampaignError(_("Choose the acquisition channel."))
    if TEXT_CHANNELS & set(campaign.channels) and not (campaign.body_tr or campaign.body_en):
        raise CampaignError(_("Email and SMS need the offer text in at least one language."))
    if campaign.coupon_batch is not None and campaign.coupon_batch.tenant_id != campaign.tenant_id:
        raise CampaignError(_("The coupon does not belong to this company."))
    if (
        campaign.bonus_points
        and not Programme.objects.filter(tenant_id=campaign.tenant_id, is_active=True).exists()
    ):
        raise CampaignError(_("Bonus points need an active loyalty programme."))
    if (
        campaign.owner_id
        and not Membership.objects.filter(
            tenant_id=campaign.tenant_id, user_id=campaign.owner_id
        ).exists()
    ):
        raise CampaignError(_("The owner must be a member of this company."))


def _validate_audience(campaign: Campaign) -> None:
    if campaign.audience_kind == AudienceKind.TIER:
        if campaign.audience_tier is None:
            raise CampaignError(_("Choose the tier the campaign is for."))
        if campaign.audience_tier.tenant_id != campaign.tenant_id:
            raise CampaignError(_("The tier does not belong to this company."))
    elif campaign.audience_kind == AudienceKind.STAGE:
        if not campaign.audience_stage:
            raise CampaignError(_("Choose the lifecycle stage the campaign is for."))
    elif campaign.audience_kind == AudienceKind.NEXT_BEST:
        if campaign.objective != Objective.CROSS_SELL:
            raise CampaignError(_("The next best product audience is for cross-sell campaigns."))
        items = [campaign.audience_product, campaign.audience_category]
        if not any(items):
            raise CampaignError(_("Choose the next best product or category to offer."))
        if any(item is not None and item.tenant_id != campaign.tenant_id for item in items):
            raise CampaignError(_("The product or category does not belong to this company."))
    elif campaign.audience_kind == AudienceKind.SEGMENT:
        segment = getattr(campaign, "segment", None)
        if segment is None:
            raise CampaignError(_("Choose the segment the campaign is for."))
        if segment.tenant_id != campaign.tenant_id:
            raise CampaignError(_("The segment does not belong to this company."))
    else:
        raise CampaignError(_("Choose the campaign's audience."))


def _clean(fields: dict[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - CAMPAIGN_FIELDS
    if unknown:
        raise TypeError(f"Unknown campaign fields: {sorted(unknown)}")
    clean = dict(fields)
    for name in ("name", "subject_tr", "subject_en"):
        if name in clean:
            clean[name] = " ".join(str(clean[name] or "").split())
    for name in ("body_tr", "body_en"):
        if name in clean:
            clean[name] = (clean[name] or "").strip()
    for name in COST_FIELD_BY_CHANNEL.values():
        if name in clean:
            clean[name] = Decimal(clean[name] if clean[name] is not None else 0)
    if clean.get("trigger") is None and "trigger" in clean:
        clean["trigger"] = ""
    return clean


@transaction.atomic
def campaign_create(*, tenant: Tenant, actor: Any, **fields: Any) -> Campaign:
    campaign = Campaign(tenant=tenant, created_by=user_or_none(actor), **_clean(fields))
    if campaign.owner_id is None:
        campaign.owner = user_or_none(actor)
    _validate(campaign)
    campaign.save()
    audit_log(
        tenant=tenant,
        actor=actor,
        action="campaigns.campaign.created",
        target=campaign,
        data={"name": campaign.name, "objective": campaign.objective},
    )
    return campaign


@transaction.atomic
def campaign_update(*, tenant: Tenant, actor: Any, campaign: Campaign, **fields: Any) -> Campaign:
    """Only a draft can be changed: a scheduled or running campaign's audience and offer are
    what its results are measured against."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk, tenant=tenant)
    if campaign.status != CampaignStatus.DRAFT:
        raise CampaignError(_("Only a draft campaign can be changed."))
    clean = _clean(fields)
    before = {name: getattr(campaign, name) for name in clean}
    for name, value in clean.items():
        setattr(campaign, name, value)
    _validate(campaign)
    campaign.save()
    changed = sorted(name for name in clean if before[name] != getattr(campaign, name))
    if changed:
        audit_log(
            tenant=tenant,
            actor=actor,
            action="campaigns.campaign.updated",
            target=campaign,
            data={"fields": changed},
        )
    return campaign


def _move(
    *, tenant: Tenant, campaign: Campaign, to: str, extra: dict[str, Any] | None = None
) -> Campaign:
    """Move the campaign from its current status to `to`, if that move is allowed and nobody
    moved it first."""
    current = (
        Campaign.objects.filter(pk=campaign.pk, tenant=tenant)
        .values_list("status", flat=True)
        .first()
    )
    if current is None or to not in STATUS_TRANSITIONS[current]:
        raise CampaignError(
            _("A %(status)s campaign cannot be %(action)s.")
            % {
                "status": CampaignStatus(current).label.lower() if current else "?",
                "action": _ACTION_WORDS[to],
            }
        )
    moved = Campaign.objects.filter(pk=campaign.pk, tenant=tenant, status=current).update(
        status=to, **(extra or {})
    )
    if not moved:
        raise CampaignError(_("Someone changed this campaign at the same moment; try again."))
    campaign.refresh_from_db()
    return campaign


_ACTION_WORDS = {
    CampaignStatus.DRAFT: gettext_lazy("moved back to draft"),
    CampaignStatus.SCHEDULED: gettext_lazy("scheduled"),
    CampaignStatus.RUNNING: gettext_lazy("started"),
    CampaignStatus.FINISHED: gettext_lazy("finished"),
    CampaignStatus.CANCELLED: gettext_lazy("cancelled"),
}


@transaction.atomic
def campaign_schedule(*, tenant: Tenant, actor: Any, campaign: Campaign) -> Campaign:
    """Draft → scheduled. The start (audience, rules, control split) runs in a worker at the
    start time: at once when that is now or past."""
    from campaigns import tasks

    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk, tenant=tenant)
    _validate(campaign)
    if campaign.ends_at <= timezone.now():
        raise CampaignError(_("The campaign's end is already past; change its dates first."))
    campaign = _move(tenant=tenant, campaign=campaign, to=CampaignStatus.SCHEDULED)
    audit_log(tenant=tenant, actor=actor, action="campaigns.campaign.scheduled", target=campaign)
    if campaign.starts_at <= timezone.now():
        tasks.enqueue_on_commit(tasks.start_campaign, tenant.pk, campaign.pk)
    return campaign


@transaction.atomic
def campaign_unschedule(*, tenant: Tenant, actor: Any, campaign: Campaign) -> Campaign:
    campaign = _move(tenant=tenant, campaign=campaign, to=CampaignStatus.DRAFT)
    audit_log(tenant=tenant, actor=actor, action="campaigns.campaign.unscheduled", target=campaign)
    return campaign


def _stop_queued(*, tenant: Tenant, campaign: Campaign) -> int:
    """Messages not yet sent are not sent any more (set-based)."""
    return Recipient.objects.filter(
        tenant=tenant, campaign=campaign, status=RecipientStatus.QUEUED
    ).update(status=RecipientStatus.CANCELLED)


@transaction.atomic
def campaign_cancel(*, tenant: Tenant, actor: Any, campaign: Campaign) -> tuple[Campaign, int]:
    """Cancel: nothing more is sent; what was sent stays recorded. Returns the campaign and
    how many queued contacts were dropped."""
    campaign = _move(
        tenant=tenant,
        campaign=campaign,
        to=CampaignStatus.CANCELLED,
        extra={"finished_at": timezone.now()},
    )
    dropped = _stop_queued(tenant=tenant, campaign=campaign)
    audit_log(
        tenant=tenant,
        actor=actor,
        action="campaigns.campaign.cancelled",
        target=campaign,
        data={"queued_dropped": dropped},
    )
    return campaign, dropped


@transaction.atomic
def campaign_finish(
    *, tenant: Tenant, actor: Any, campaign: Campaign, now: datetime | None = None
) -> tuple[Campaign, int]:
    """Running → finished (by hand, or by the worker when the end time passes)."""
    campaign = _move(
        tenant=tenant,
        campaign=campaign,
        to=CampaignStatus.FINISHED,
        extra={"finished_at": now or timezone.now()},
    )
    dropped = _stop_queued(tenant=tenant, campaign=campaign)
    audit_log(
        tenant=tenant,
        actor=actor,
        action="campaigns.campaign.finished",
        target=campaign,
        data={"queued_dropped": dropped},
    )
    return campaign, dropped


def campaigns_due(*, tenant: Tenant, now: datetime) -> dict[str, list[int]]:
    """What the worker's periodic tick should do: scheduled campaigns whose start has come,
    running ones whose end has passed, running ones that may send now."""
    start = list(
        Campaign.objects.filter(
            tenant=tenant, status=CampaignStatus.SCHEDULED, starts_at__lte=now
        ).values_list("pk", flat=True)
    )
    finish = list(
        Campaign.objects.filter(
            tenant=tenant, status=CampaignStatus.RUNNING, ends_at__lte=now
        ).values_list("pk", flat=True)
    )
    running = Campaign.objects.filter(tenant=tenant, status=CampaignStatus.RUNNING, ends_at__gt=now)
    local = now.astimezone(tenant.zone).time()
    send = [
        pk
        for pk, send_from, send_until in running.values_list("pk", "send_from", "send_until")
        if send_from <= local < send_until
    ]
    triggered = list(running.exclude(trigger="").values_list("pk", flat=True))
    return {"start": start, "finish": finish, "send": send, "triggered": triggered}
