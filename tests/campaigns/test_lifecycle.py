"""Planning a campaign and its statuses: only valid moves, validation messages a user
understands, scheduling starts it in a worker."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from campaigns import services
from campaigns.models import AudienceKind, CampaignStatus, Channel, Objective, Recipient
from customers.models import LifecycleStage
from segmentation.models import Tier
from tests.campaigns.factories import CampaignFactory, reachable

pytestmark = pytest.mark.django_db


def fields(**overrides):
    now = timezone.now()
    values = {
        "name": "Kış kampanyası",
        "objective": Objective.RETENTION,
        "audience_kind": AudienceKind.STAGE,
        "audience_stage": LifecycleStage.ACTIVE,
        "channels": [Channel.EMAIL],
        "body_tr": "Merhaba {name}",
        "starts_at": now,
        "ends_at": now + timedelta(days=7),
    }
    values.update(overrides)
    return values


def test_create_saves_a_draft_owned_by_its_creator(tenant_scope, manager_user):
    campaign = services.campaign_create(tenant=tenant_scope, actor=manager_user, **fields())
    assert campaign.status == CampaignStatus.DRAFT
    assert campaign.owner == manager_user


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"ends_at": timezone.now() - timedelta(days=1)}, "end after it starts"),
        ({"body_tr": "", "body_en": ""}, "offer text"),
        ({"channels": []}, "at least one channel"),
        ({"audience_stage": ""}, "lifecycle stage"),
        ({"cost_sms": Decimal("-1")}, "negative"),
        ({"trigger": "no_purchase"}, "how many days"),
        ({"trigger": "spend_threshold"}, "spend threshold"),
        ({"audience_kind": AudienceKind.SEGMENT}, "segment"),
    ],
)
def test_create_refuses_a_campaign_that_cannot_run(tenant_scope, overrides, message):
    with pytest.raises(services.CampaignError, match=message):
        services.campaign_create(tenant=tenant_scope, actor=None, **fields(**overrides))


def test_a_tier_of_another_tenant_is_refused(tenant_scope, other_tenant):
    from django_scopes import scopes_disabled

    with scopes_disabled():
        theirs = Tier.objects.filter(tenant=other_tenant).first()
    with pytest.raises(services.CampaignError, match="does not belong"):
        services.campaign_create(
            tenant=tenant_scope,
            actor=None,
            **fields(audience_kind=AudienceKind.TIER, audience_tier=theirs),
        )


def test_scheduling_a_due_campaign_starts_it_after_commit(
    tenant_scope, django_capture_on_commit_callbacks, settings
):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    reachable(tenant_scope)
    campaign = CampaignFactory(tenant=tenant_scope)
    with django_capture_on_commit_callbacks(execute=True):
        services.campaign_schedule(tenant=tenant_scope, actor=None, campaign=campaign)
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.RUNNING
    assert Recipient.objects.filter(campaign=campaign, status="sent").count() == 1


def test_scheduling_twice_is_refused(tenant_scope):
    campaign = CampaignFactory(
        tenant=tenant_scope,
        starts_at=timezone.now() + timedelta(days=1),
        ends_at=timezone.now() + timedelta(days=3),
    )
    services.campaign_schedule(tenant=tenant_scope, actor=None, campaign=campaign)
    with pytest.raises(services.CampaignError, match="cannot be scheduled"):
        services.campaign_schedule(tenant=tenant_scope, actor=None, campaign=campaign)


@pytest.mark.parametrize(
    ("status", "move", "allowed"),
    [
        ("draft", services.campaign_finish, False),
        ("draft", services.campaign_cancel, True),
        ("scheduled", services.campaign_unschedule, True),
        ("scheduled", services.campaign_finish, False),
        ("running", services.campaign_finish, True),
        ("running", services.campaign_unschedule, False),
        ("finished", services.campaign_cancel, False),
        ("cancelled", services.campaign_finish, False),
    ],
)
def test_only_valid_status_moves(tenant_scope, status, move, allowed):
    campaign = CampaignFactory(tenant=tenant_scope, status=status)
    if allowed:
        move(tenant=tenant_scope, actor=None, campaign=campaign)
    else:
        with pytest.raises(services.CampaignError):
            move(tenant=tenant_scope, actor=None, campaign=campaign)


def test_cancelling_a_running_campaign_drops_what_is_queued(tenant_scope):
    for _ in range(2):
        reachable(tenant_scope)
    campaign = CampaignFactory(tenant=tenant_scope, status=CampaignStatus.SCHEDULED)
    services.campaign_start(tenant=tenant_scope, campaign_id=campaign.pk)
    campaign, dropped = services.campaign_cancel(tenant=tenant_scope, actor=None, campaign=campaign)
    assert dropped == 2
    assert set(Recipient.objects.filter(campaign=campaign).values_list("status", flat=True)) == {
        "cancelled"
    }


def test_a_running_campaign_cannot_be_edited(tenant_scope):
    campaign = CampaignFactory(tenant=tenant_scope, status=CampaignStatus.RUNNING)
    with pytest.raises(services.CampaignError, match="Only a draft"):
        services.campaign_update(tenant=tenant_scope, actor=None, campaign=campaign, name="Yeni")


def test_the_tick_knows_what_is_due(tenant_scope):
    now = timezone.now()
    due = CampaignFactory(tenant=tenant_scope, status="scheduled", starts_at=now - timedelta(1))
    CampaignFactory(
        tenant=tenant_scope,
        status="scheduled",
        starts_at=now + timedelta(1),
        ends_at=now + timedelta(2),
    )
    over = CampaignFactory(
        tenant=tenant_scope,
        status="running",
        starts_at=now - timedelta(3),
        ends_at=now - timedelta(1),
    )
    sending = CampaignFactory(tenant=tenant_scope, status="running")
    plan = services.campaigns_due(tenant=tenant_scope, now=now)
    assert plan["start"] == [due.pk]
    assert plan["finish"] == [over.pk]
    assert plan["send"] == [sending.pk]
