"""Factories and helpers of the campaign tests."""

from __future__ import annotations

import hashlib
import itertools
from datetime import time, timedelta
from decimal import Decimal

import factory
from django.utils import timezone
from django_scopes import scopes_disabled

from campaigns.models import (
    AudienceKind,
    Campaign,
    CampaignStatus,
    Channel,
    Objective,
    Recipient,
)
from customers.models import LifecycleStage
from segmentation.models import CustomerScore, ScoreRun, ScoreStatus, Tier
from tests.factories import CustomerFactory, TenantFactory, TenantOwnedFactory


class CampaignFactory(TenantOwnedFactory):
    class Meta:
        model = Campaign

    tenant = factory.SubFactory(TenantFactory)
    name = factory.Sequence(lambda n: f"Kampanya {n}")
    objective = Objective.RETENTION
    audience_kind = AudienceKind.STAGE
    audience_stage = LifecycleStage.ACTIVE
    channels = factory.LazyFunction(lambda: [Channel.EMAIL])
    control_percent = 0
    subject_tr = "Size özel teklif"
    body_tr = "Merhaba {name}, bu ay %20 indirim."
    subject_en = "An offer for you"
    body_en = "Hello {name}, 20% off this month."
    offer_url = "https://example.com/teklif"
    starts_at = factory.LazyFunction(lambda: timezone.now() - timedelta(minutes=5))
    ends_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=30))
    send_from = time(0, 0)
    send_until = time(23, 59, 59)
    status = CampaignStatus.DRAFT


_emails = itertools.count(1)


def reachable(tenant, **kwargs):
    """An active customer with an email address and email consent."""
    defaults = {
        "lifecycle_stage": LifecycleStage.ACTIVE,
        "email": f"musteri{next(_emails)}@example.com",
        "consent_email": True,
    }
    defaults.update(kwargs)
    return CustomerFactory(tenant=tenant, **defaults)


def give_score(customer, score, *, tier: Tier | None = None) -> CustomerScore:
    with scopes_disabled():
        run = ScoreRun.objects.filter(tenant=customer.tenant).first() or ScoreRun.objects.create(
            tenant=customer.tenant, status="succeeded", trigger="manual"
        )
        return CustomerScore.objects.create(
            tenant=customer.tenant,
            customer=customer,
            run=run,
            status=ScoreStatus.ACTIVE,
            score=Decimal(str(score)),
            tier=tier,
            computed_tier=tier,
        )


def recipients(campaign) -> dict[int, Recipient]:
    with scopes_disabled():
        return {r.customer_id: r for r in Recipient.objects.filter(campaign=campaign)}


def in_control(campaign_id: int, customer_id: int, percent: int, occurrence: str = "") -> bool:
    """The control split, computed the way the SQL does (md5 of campaign:customer:occurrence)."""
    digest = hashlib.md5(f"{campaign_id}:{customer_id}:{occurrence}".encode()).hexdigest()
    return int(digest[:8], 16) % 10000 < percent * 100
