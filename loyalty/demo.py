"""Demo data: a loyalty programme for the demo tenant, earned from its last year of purchases
(order 60, after the scores so that tier multipliers apply)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from crm.models import Tenant
from loyalty.models import Programme, Reward, TierMultiplier
from loyalty.services.ledger import points_earn
from loyalty.services.nightly import loyalty_nightly_run
from segmentation.models import Tier

_MULTIPLIERS = {1: Decimal("2"), 2: Decimal("1.5"), 3: Decimal("1.2"), 4: Decimal("1")}
_REWARDS = [("Kahve makinesi", 2500, 5), ("Hediye çeki 100 TL", 1000, None), ("Termos", 400, 20)]


def demo_loyalty_load(*, tenant: Tenant, size: str) -> str:
    today = timezone.localdate(timezone=tenant.zone)
    Programme.objects.get_or_create(
        tenant=tenant,
        defaults={
            "name": _("Loyalty club"),
            "starts_on": today - timedelta(days=365),
            "welcome_bonus": 100,
            "point_value": Decimal("0.05"),
        },
    )
    for tier in Tier.objects.filter(tenant=tenant, position__in=_MULTIPLIERS):
        TierMultiplier.objects.get_or_create(
            tenant=tenant, tier=tier, defaults={"multiplier": _MULTIPLIERS[tier.position]}
        )
    for name, cost, stock in _REWARDS:
        Reward.objects.get_or_create(
            tenant=tenant, name=name, defaults={"points_cost": cost, "stock": stock}
        )
    earned = points_earn(tenant=tenant, occurred_since=timezone.now() - timedelta(days=365))
    loyalty_nightly_run(tenant=tenant)
    return _("Loyalty: %(members)s members, %(points)s points earned.") % {
        "members": earned.enrolled,
        "points": earned.points,
    }
