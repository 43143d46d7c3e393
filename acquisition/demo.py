"""Demo data (order 60, after the scores): the demo company's prospects become leads at every
stage, a share of its buyers arrive as leads that their first purchase converted, and a year
and a half of acquisition costs, so the board and the report have something to show."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from acquisition.models import AcquisitionCost, Lead, LeadSource, LeadStatus
from acquisition.selectors import acquisition_campaigns
from acquisition.services import acquisition_summaries_compute, leads_convert_buyers
from crm.models import Tenant
from customers.models import Customer, LifecycleStage

SOURCE_DETAILS = ["İstanbul Fuarı", "Google Ads", "Bayi tavsiyesi", ""]
SOURCE_BY_CHANNEL = {
    "web": LeadSource.WEB_FORM,
    "event": LeadSource.EVENT,
    "referral": LeadSource.REFERRAL,
    "advertising": LeadSource.CAMPAIGN,
    "social": LeadSource.CAMPAIGN,
    "store": LeadSource.WALK_IN,
}
NEXT_STEPS = ["Teklif gönder", "Geri ara", "Ürün tanıtımı", "Numune gönder"]
LOST_REASONS = ["Fiyat yüksek bulundu", "Rakibi seçti", "Bütçe yok"]
# Monthly cost per channel (TRY), before a ±20 % wobble.
MONTHLY_COST = {"web": 6000, "advertising": 15000, "event": 9000, "referral": 2000, "store": 3000}


def demo_acquisition_load(*, tenant: Tenant, size: str, seed: int = 2026) -> str:
    rng = random.Random(seed)
    today = timezone.localdate()
    # The company's acquisition campaigns, if the campaigns' demo made any: some leads came
    # through them.
    campaigns = [None, None, *acquisition_campaigns(tenant=tenant)]
    have_lead = Lead.objects.filter(tenant=tenant).values("customer_id")
    candidates = Customer.objects.filter(tenant=tenant, archived_at__isnull=True).exclude(
        pk__in=have_lead
    )
    leads = []
    for customer in candidates.filter(lifecycle_stage=LifecycleStage.PROSPECT):
        status = rng.choice([LeadStatus.NEW, LeadStatus.CONTACTED, LeadStatus.QUALIFIED,
                             LeadStatus.NEW, LeadStatus.LOST])  # fmt: skip
        step = rng.random() < 0.6 and status != LeadStatus.LOST
        leads.append(
            Lead(
                tenant=tenant,
                customer=customer,
                source=SOURCE_BY_CHANNEL.get(customer.acquisition_channel, LeadSource.EVENT),
                campaign=rng.choice(campaigns),
                source_detail=rng.choice(SOURCE_DETAILS),
                owner=customer.owner,
                status=status,
                lost_reason=rng.choice(LOST_REASONS) if status == LeadStatus.LOST else "",
                next_step=rng.choice(NEXT_STEPS) if step else "",
                next_step_due=today + timedelta(days=rng.randint(-5, 20)) if step else None,
                created_at=timezone.now() - timedelta(days=rng.randint(1, 60)),
            )
        )
    since = timezone.now() - timedelta(days=540)
    for customer in candidates.exclude(lifecycle_stage=LifecycleStage.PROSPECT).filter(
        created_at__gte=since
    ):
        if rng.random() < 0.5:
            leads.append(
                Lead(
                    tenant=tenant,
                    customer=customer,
                    source=SOURCE_BY_CHANNEL.get(customer.acquisition_channel, LeadSource.EVENT),
                    campaign=rng.choice(campaigns),
                    source_detail=rng.choice(SOURCE_DETAILS),
                    owner=customer.owner,
                    created_at=customer.created_at,
                    status_changed_at=customer.created_at,
                )
            )
    Lead.objects.bulk_create(leads)
    converted = leads_convert_buyers(tenant=tenant)
    costs = []
    for back in range(18):
        year, month = divmod(today.year * 12 + today.month - 1 - back, 12)
        for channel, amount in MONTHLY_COST.items():
            wobble = Decimal(rng.randint(80, 120)) / 100
            costs.append(
                AcquisitionCost(
                    tenant=tenant, month=date(year, month + 1, 1), channel=channel,
                    amount=(Decimal(amount) * wobble).quantize(Decimal("1")),
                )
            )  # fmt: skip
    AcquisitionCost.objects.bulk_create(costs, ignore_conflicts=True)
    acquisition_summaries_compute(tenant=tenant)
    return _(
        "Acquisition: %(leads)s leads (%(converted)s converted), %(months)s months of costs."
    ) % {
        "leads": len(leads),
        "converted": converted,
        "months": 18,
    }
