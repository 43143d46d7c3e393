"""Celery tasks of the campaigns app: thin wrappers taking ids (tenant first).

- `campaigns_tick_everywhere` (beat, every minute) fans out one `campaigns_tick` per tenant
  with campaign work: start the scheduled campaigns whose time has come, finish the ones whose
  end passed, send what is queued inside the send window, recover stalled claims.
- `campaigns_triggers_everywhere` (beat, every 15 minutes) fans out the trigger evaluation.
"""

from __future__ import annotations

import contextlib

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from campaigns import services
from campaigns.models import Campaign, CampaignStatus
from crm.models import Tenant
from crm.rls import all_tenants
from crm.tasks import TenantTask, enqueue_on_commit

RETRYABLE = {
    "autoretry_for": (OperationalError, InterfaceError),
    "retry_backoff": 10,
    "retry_backoff_max": 300,
    "retry_jitter": True,
    "max_retries": 5,
    "acks_late": True,
}


def _tenants_with(statuses: list[str]) -> list[int]:
    with all_tenants(reason="campaigns: tenants with campaign work"):
        return list(
            Campaign.objects.filter(status__in=statuses, tenant__is_active=True)
            .values_list("tenant_id", flat=True)
            .distinct()
        )


@shared_task(name="campaigns.tasks.campaigns_tick_everywhere")
def campaigns_tick_everywhere() -> int:
    tenant_ids = _tenants_with([CampaignStatus.SCHEDULED, CampaignStatus.RUNNING])
    for tenant_id in tenant_ids:
        enqueue_on_commit(campaigns_tick, tenant_id)
    return len(tenant_ids)


@shared_task(base=TenantTask, name="campaigns.campaigns_tick", **RETRYABLE)
def campaigns_tick(tenant: Tenant) -> dict:
    now = timezone.now()
    services.stalled_sends_recover(tenant=tenant, now=now)
    due = services.campaigns_due(tenant=tenant, now=now)
    for campaign_id in due["start"]:
        enqueue_on_commit(start_campaign, tenant.pk, campaign_id)
    for campaign in Campaign.objects.filter(tenant=tenant, pk__in=due["finish"]):
        # Moved by someone else meanwhile: nothing left to do for it.
        with contextlib.suppress(services.CampaignError):
            services.campaign_finish(tenant=tenant, actor=None, campaign=campaign, now=now)
    for campaign_id in due["send"]:
        enqueue_on_commit(send_campaign, tenant.pk, campaign_id)
    return due


@shared_task(base=TenantTask, name="campaigns.start_campaign", **RETRYABLE)
def start_campaign(tenant: Tenant, campaign_id: int) -> str:
    """Start a scheduled campaign; a second delivery finds it running and does nothing."""
    campaign = services.campaign_start(tenant=tenant, campaign_id=campaign_id)
    if campaign is None:
        return "skipped"
    enqueue_on_commit(send_campaign, tenant.pk, campaign_id)
    return "started"


@shared_task(base=TenantTask, name="campaigns.send_campaign", **RETRYABLE)
def send_campaign(tenant: Tenant, campaign_id: int) -> int:
    """Send queued messages for up to ~50 s, then hand over to a fresh task if more are left
    (claims make concurrent or repeated runs safe)."""
    sent, more = services.campaign_send(tenant=tenant, campaign_id=campaign_id)
    if more:
        enqueue_on_commit(send_campaign, tenant.pk, campaign_id)
    return sent


@shared_task(name="campaigns.tasks.campaigns_triggers_everywhere")
def campaigns_triggers_everywhere() -> int:
    with all_tenants(reason="campaigns: tenants with triggered campaigns"):
        tenant_ids = list(
            Campaign.objects.filter(status=CampaignStatus.RUNNING, tenant__is_active=True)
            .exclude(trigger="")
            .values_list("tenant_id", flat=True)
            .distinct()
        )
    for tenant_id in tenant_ids:
        enqueue_on_commit(evaluate_triggers, tenant_id)
    return len(tenant_ids)


@shared_task(base=TenantTask, name="campaigns.evaluate_triggers", **RETRYABLE)
def evaluate_triggers(tenant: Tenant) -> dict:
    written = services.triggers_evaluate(tenant=tenant)
    for campaign_id, count in written.items():
        if count:
            enqueue_on_commit(send_campaign, tenant.pk, campaign_id)
    return {str(key): value for key, value in written.items()}
