"""Next to the customer's name (a "header" panel of the customer page): the tier badge, the
score, the points still needed for the next tier up, and the tier's strategy as the admin wrote
it, so a rep sees at once how important the customer is and how to treat them."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Min

from crm.models import Tenant
from customers.models import Customer
from segmentation.models import CustomerScore, Tier
from segmentation.selectors import customer_score


@dataclass(frozen=True)
class NextTier:
    tier: Tier
    points: Decimal  # score points still missing (the last run's lowest score in that tier)


def next_tier_for(*, tenant: Tenant, score: CustomerScore) -> NextTier | None:
    """The tier above the customer's and how many points they lack to reach it: its threshold,
    or for a share-based tier the lowest score that made it in the last run (one query on the
    (tenant, tier) index). None at the peak, without a score, or for a pinned customer."""
    if score.score is None or score.tier is None or score.is_pinned:
        return None
    above = Tier.objects.filter(tenant=tenant, position=score.tier.position - 1).first()
    if above is None:
        return None
    if above.min_score is not None:
        entry = above.min_score
    else:
        entry = CustomerScore.objects.filter(tenant=tenant, tier=above, is_pinned=False).aggregate(
            lowest=Min("score")
        )["lowest"]
        if entry is None:
            return None
    missing = max(Decimal(entry) - Decimal(score.score), Decimal("0"))
    # Two customers at the same score can fall on both sides of a share cut: say "0.01".
    return NextTier(tier=above, points=max(missing, Decimal("0.01")).quantize(Decimal("0.01")))


def customer_header_context(*, request, tenant: Tenant, customer: Customer) -> dict[str, Any]:
    score = customer_score(tenant=tenant, customer=customer)
    return {
        "score": score,
        "next_tier": next_tier_for(tenant=tenant, score=score) if score else None,
    }
