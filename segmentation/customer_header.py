"""Next to the customer's name (a "header" panel of the customer page): the tier badge, the
score, the points still needed for the next tier up, and the tier's strategy as the admin wrote
it, so a rep sees at once how important the customer is and how to treat them."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.db.models import Min

from crm.models import Tenant
from customers.models import Customer
from segmentation.models import CustomerScore, RunTierSummary, Tier
from segmentation.panels import customer_score_of_page
from segmentation.selectors import run_last_succeeded


@dataclass(frozen=True)
class NextTier:
    tier: Tier
    points: Decimal  # score points still missing (the last run's lowest score in that tier)


def lowest_score_in(*, tenant: Tenant, tier: Tier) -> Decimal | None:
    """The lowest score that made it into a share-based tier in the last run (pins aside).

    The run's tier summary holds it. Runs from before it did (migration 0015) compute it over the
    tier's scores: at a million customers a wide tier's minimum reads a few hundred thousand score
    rows (0.7–1.2 s, and under a running recompute several workers did so at once); either way it
    is then served from the cache, keyed by the run.
    """
    run = run_last_succeeded(tenant=tenant)
    cache_key = f"segmentation:tier-entry:{tenant.pk}:{run.pk if run else 0}:{tier.pk}"
    cached = cache.get(cache_key)
    if cached is not None:
        return cached["lowest"]
    lowest = None
    if run is not None:
        lowest = RunTierSummary.objects.filter(tenant=tenant, run=run, tier=tier).aggregate(
            lowest=Min("lowest_score")
        )["lowest"]
    if lowest is None:
        lowest = CustomerScore.objects.filter(tenant=tenant, tier=tier, is_pinned=False).aggregate(
            lowest=Min("score")
        )["lowest"]
    cache.set(cache_key, {"lowest": lowest}, 2 * 24 * 3600)
    return lowest


def next_tier_for(*, tenant: Tenant, score: CustomerScore) -> NextTier | None:
    """The tier above the customer's and how many points they lack to reach it: its threshold,
    or for a share-based tier the lowest score that made it in the last run. None at the peak,
    without a score, or for a pinned customer."""
    if score.score is None or score.tier is None or score.is_pinned:
        return None
    above = Tier.objects.filter(tenant=tenant, position=score.tier.position - 1).first()
    if above is None:
        return None
    if above.min_score is not None:
        entry = above.min_score
    else:
        entry = lowest_score_in(tenant=tenant, tier=above)
        if entry is None:
            return None
    missing = max(Decimal(entry) - Decimal(score.score), Decimal("0"))
    # Two customers at the same score can fall on both sides of a share cut: say "0.01".
    return NextTier(tier=above, points=max(missing, Decimal("0.01")).quantize(Decimal("0.01")))


def customer_header_context(*, request, tenant: Tenant, customer: Customer) -> dict[str, Any]:
    score = customer_score_of_page(request=request, tenant=tenant, customer=customer)
    return {
        "score": score,
        "next_tier": next_tier_for(tenant=tenant, score=score) if score else None,
    }
