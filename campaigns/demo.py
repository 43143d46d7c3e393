"""Demo data (order 55: after the scores, before acquisition's leads, which link to the
acquisition campaign): four campaigns made through the services, as a manager would.

- a finished retention campaign to the active customers, started 45 days ago, with a control
  group, a personal coupon code per customer, its emails sent then and some links clicked —
  so the results page compares the contacted with the control group on the purchases since;
- a running acquisition campaign calling the prospects (the call list), a few calls logged;
- a cross-sell draft;
- a running birthday trigger.

The demo's emails go to Django's dummy backend: its customers and their addresses are made up.
A second run (demo_setup --reload) leaves campaigns of the same name alone.
"""

from __future__ import annotations

from datetime import time, timedelta
from decimal import Decimal
from typing import Any

from django.core.mail import get_connection
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns.models import (
    AudienceKind,
    Campaign,
    Channel,
    Objective,
    Recipient,
    RecipientStatus,
    TriggerKind,
)
from campaigns.services import (
    call_log,
    campaign_create,
    campaign_finish,
    campaign_schedule,
    campaign_start,
    click_record,
    send_batch,
)
from crm.models import Membership, Role, Tenant
from customers.models import InteractionOutcome, LifecycleStage
from loyalty.services.coupons import coupon_batch_create

FINISHED_DAYS_AGO = 45
# The demo company is Turkish: its campaigns are named in Turkish (data, like its products).
FINISHED = "Aktif müşterilerimize teşekkür"
CALLING = "Adaylara telefon"
DRAFT = "Alıcılarımıza aksesuar"
BIRTHDAY = "Doğum günü hediyesi"
OFFER_WINDOW = {"send_from": time(9, 0), "send_until": time(20, 0)}
CALL_OUTCOMES = [InteractionOutcome.INTERESTED, InteractionOutcome.NO_ANSWER,
                 InteractionOutcome.SALE]  # fmt: skip


def _people(tenant: Tenant) -> tuple[Any, Any]:
    """The demo's manager (campaign owner) and sales rep (calls)."""
    members = {
        membership.role: membership.user
        for membership in Membership.objects.filter(tenant=tenant).select_related("user")
    }
    manager = members.get(Role.MANAGER) or members.get(Role.ADMIN)
    return manager, members.get(Role.SALES) or manager


def _finished(tenant: Tenant, manager: Any) -> Campaign:
    started = timezone.now() - timedelta(days=FINISHED_DAYS_AGO)
    batch = coupon_batch_create(
        tenant=tenant,
        actor=manager,
        name="Teşekkür %15",
        discount_type="percent",
        value=Decimal("15"),
        valid_until=(started + timedelta(days=60)).date(),
    )
    campaign = campaign_create(
        tenant=tenant,
        actor=manager,
        name=FINISHED,
        objective=Objective.RETENTION,
        audience_kind=AudienceKind.STAGE,
        audience_stage=LifecycleStage.ACTIVE,
        channels=[Channel.EMAIL],
        cost_email=Decimal("0.25"),
        control_percent=20,
        subject_tr="Teşekkür ederiz",
        body_tr="Merhaba {name}, bizi seçtiğiniz için teşekkür ederiz: bu ay %15 indirim.",
        subject_en="Thank you",
        body_en="Hello {name}, thank you for choosing us: 15% off this month.",
        offer_url="https://example.com/tesekkur",
        coupon_batch=batch,
        starts_at=started,
        ends_at=timezone.now() + timedelta(days=15),
        **OFFER_WINDOW,
    )
    campaign_schedule(tenant=tenant, actor=manager, campaign=campaign)
    campaign = campaign_start(tenant=tenant, campaign_id=campaign.pk, now=started)
    sent_at = started + timedelta(hours=2)
    with get_connection("django.core.mail.backends.dummy.EmailBackend") as nowhere:
        claimed = 1
        while claimed:
            claimed, _sent = send_batch(
                tenant=tenant, campaign=campaign, now=sent_at, mail_connection=nowhere
            )
    sent = Recipient.objects.filter(
        tenant=tenant, campaign=campaign, status=RecipientStatus.SENT
    ).order_by("id")
    for recipient_id in sent.values_list("pk", flat=True)[::3]:
        click_record(tenant=tenant, recipient_id=recipient_id)
    campaign_finish(
        tenant=tenant, actor=manager, campaign=campaign, now=started + timedelta(days=30)
    )
    return campaign


def _calling(tenant: Tenant, manager: Any, rep: Any) -> Campaign:
    campaign = campaign_create(
        tenant=tenant,
        actor=manager,
        name=CALLING,
        objective=Objective.ACQUISITION,
        audience_kind=AudienceKind.STAGE,
        audience_stage=LifecycleStage.PROSPECT,
        channels=[Channel.CALL],
        cost_call=Decimal("6"),
        control_percent=10,
        body_tr="{name} Bey/Hanım, ilk siparişinize özel ücretsiz kargo ve %10 indirim.",
        body_en="{name}, free delivery and 10% off your first order.",
        starts_at=timezone.now() - timedelta(minutes=5),
        ends_at=timezone.now() + timedelta(days=21),
        **OFFER_WINDOW,
    )
    campaign_schedule(tenant=tenant, actor=manager, campaign=campaign)
    campaign = campaign_start(tenant=tenant, campaign_id=campaign.pk)
    calls = Recipient.objects.filter(
        tenant=tenant, campaign=campaign, status=RecipientStatus.QUEUED
    ).order_by("-priority", "id")
    called = list(calls.values_list("pk", flat=True)[: len(CALL_OUTCOMES)])
    for recipient_id, outcome in zip(called, CALL_OUTCOMES[: len(called)], strict=True):
        call_log(tenant=tenant, actor=rep, recipient_id=recipient_id, outcome=outcome)
    return campaign


def _draft(tenant: Tenant, manager: Any) -> Campaign:
    return campaign_create(
        tenant=tenant,
        actor=manager,
        name=DRAFT,
        objective=Objective.CROSS_SELL,
        audience_kind=AudienceKind.STAGE,
        audience_stage=LifecycleStage.ACTIVE,
        channels=[Channel.EMAIL, Channel.SMS],
        cost_email=Decimal("0.25"),
        cost_sms=Decimal("0.40"),
        budget=Decimal("50"),
        control_percent=10,
        subject_tr="Size yakışacak aksesuarlar",
        body_tr="Merhaba {name}, son alışverişinize uygun aksesuarlarda %20 indirim.",
        starts_at=timezone.now() + timedelta(days=7),
        ends_at=timezone.now() + timedelta(days=37),
        **OFFER_WINDOW,
    )


def _birthday(tenant: Tenant, manager: Any) -> Campaign:
    campaign = campaign_create(
        tenant=tenant,
        actor=manager,
        name=BIRTHDAY,
        objective=Objective.RETENTION,
        trigger=TriggerKind.BIRTHDAY,
        channels=[Channel.EMAIL, Channel.SMS],
        cost_email=Decimal("0.25"),
        cost_sms=Decimal("0.40"),
        control_percent=10,
        subject_tr="İyi ki doğdunuz",
        body_tr="Mutlu yıllar {name}! Doğum gününüze özel %25 indirim sizi bekliyor.",
        subject_en="Happy birthday",
        body_en="Happy birthday {name}! 25% off, just for your birthday.",
        starts_at=timezone.now() - timedelta(minutes=5),
        ends_at=timezone.now() + timedelta(days=365),
        **OFFER_WINDOW,
    )
    campaign_schedule(tenant=tenant, actor=manager, campaign=campaign)
    return campaign_start(tenant=tenant, campaign_id=campaign.pk)


def demo_campaigns_load(*, tenant: Tenant, size: str) -> str:
    manager, rep = _people(tenant)
    existing = set(Campaign.objects.filter(tenant=tenant).values_list("name", flat=True))
    makers = [
        (FINISHED, lambda: _finished(tenant, manager)),
        (CALLING, lambda: _calling(tenant, manager, rep)),
        (DRAFT, lambda: _draft(tenant, manager)),
        (BIRTHDAY, lambda: _birthday(tenant, manager)),
    ]
    made = [make() for name, make in makers if name not in existing]
    return _("Campaigns: %(count)s made (finished, running, draft, birthday trigger).") % {
        "count": len(made)
    }
