"""Loyalty fixtures: a programme, members with purchases N days ago, rewards, tier scores."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import factory
from django.utils import timezone
from django_scopes import scopes_disabled

from loyalty.models import Programme, Reward, TierMultiplier
from segmentation.models import CustomerScore, Tier
from tests.factories import TenantFactory, TenantOwnedFactory, TransactionFactory


class ProgrammeFactory(TenantOwnedFactory):
    class Meta:
        model = Programme

    tenant = factory.SubFactory(TenantFactory)
    name = "Sadakat Kulübü"
    starts_on = date(2020, 1, 1)
    points_per_unit = Decimal("1")
    point_value = Decimal("0.05")
    return_window_days = 14
    expiry_months = 12


class RewardFactory(TenantOwnedFactory):
    class Meta:
        model = Reward

    tenant = factory.SubFactory(TenantFactory)
    name = factory.Sequence(lambda n: f"Hediye {n}")
    points_cost = 100


def buy(customer, amount, *, days_ago: float = 0, **kwargs):
    return TransactionFactory(
        customer=customer,
        tenant=customer.tenant,
        amount=Decimal(str(amount)),
        occurred_at=timezone.now() - timedelta(days=days_ago),
        **kwargs,
    )


def tier_for(customer, *, name: str, position: int, multiplier: str, benefits: str = ""):
    """Put the customer in a tier (as a recompute would) with a loyalty multiplier."""
    with scopes_disabled():
        tier, _ = Tier.objects.get_or_create(
            tenant=customer.tenant,
            position=position,
            defaults={"name_tr": name, "name_en": name, "share_percent": Decimal("25")},
        )
        TierMultiplier.objects.update_or_create(
            tenant=customer.tenant,
            tier=tier,
            defaults={"multiplier": Decimal(multiplier), "benefits": benefits},
        )
        CustomerScore.objects.update_or_create(
            customer=customer,
            defaults={"tenant": customer.tenant, "run_id": 0, "status": "active", "tier": tier},
        )
    return tier
