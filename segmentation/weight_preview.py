"""What other weights would do to the tiers, before they are saved (the value keys page).

The preview reads the normalised values the last succeeded run stored per customer
(CustomerScore.normalised_values, in the order of ScoreRun.weights) and recomputes, in one
read-only SQL statement, each active customer's score with the new weights and the tier the
tenant's current tiers would give it (step 3 and 4 of segmentation/sql/__init__.py).

The approximation, said on the page too: the normalisation is the last run's. Values, windows
and normalisations are as the last run computed them (a changed window or normalisation is not
previewed), who is active is as in the last run, a key the last run did not use is left out,
and pins are ignored (the computed tier is compared). With the saved weights and unchanged
tiers the preview gives exactly the last run's computed tiers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection

from crm.models import Tenant
from segmentation.models import ScoreRun, Tier, ValueKey
from segmentation.selectors import run_last_succeeded
from segmentation.sql import statement, tier_case_sql


@dataclass(frozen=True)
class KeyWeight:
    is_active: bool
    weight: Decimal


@dataclass(frozen=True)
class KeyPreview:
    key: ValueKey
    weight: Decimal | None  # None: inactive in the preview
    share: Decimal | None  # percentage of the score, |w| / Σ|w| of the active keys
    in_last_run: bool


@dataclass(frozen=True)
class TierPreview:
    tier: Tier | None  # None: active customers the tiers leave without one
    current: int
    previewed: int

    @property
    def difference(self) -> int:
        return self.previewed - self.current


@dataclass(frozen=True)
class WeightPreview:
    run: ScoreRun | None
    keys: list[KeyPreview] = field(default_factory=list)
    tiers: list[TierPreview] = field(default_factory=list)
    customers: int = 0
    moved: int = 0  # active customers whose computed tier would change


def score_shares(weights: Mapping[int, KeyWeight]) -> dict[int, Decimal | None]:
    """Each key's share of the score in percent: |weight| ÷ Σ|weight| of the active keys (a
    key with weight w gives at most 100 × |w| ÷ Σ|w| points); None for inactive keys."""
    total = sum((abs(k.weight) for k in weights.values() if k.is_active), Decimal(0))
    return {
        pk: (100 * abs(k.weight) / total).quantize(Decimal("0.1"))
        if k.is_active and total
        else None
        for pk, k in weights.items()
    }


def _score_sql(run_keys: list[int], weights: Mapping[int, KeyWeight]) -> tuple[str, dict]:
    """The score of one stored row under the new weights, as scored.sql computes it."""
    params: dict = {}
    terms = []
    used = [
        (position, weights[pk])
        for position, pk in enumerate(run_keys, start=1)
        if pk in weights and weights[pk].is_active and weights[pk].weight != 0
    ]
    total = sum((abs(k.weight) for _, k in used), Decimal(0))
    params["total"] = float(total) or 1.0
    for position, key in used:
        params[f"weight_{position}"] = float(key.weight)
        x = f"coalesce(normalised_values[{position}], 0.5)"
        if key.weight > 0:
            terms.append(f"100 * %(weight_{position})s::float8 * {x} / %(total)s")
        else:
            terms.append(f"100 * abs(%(weight_{position})s::float8) * (1 - {x}) / %(total)s")
    return " + ".join(terms) or "0::float8", params


def weights_preview(*, tenant: Tenant, weights: Mapping[int, KeyWeight]) -> WeightPreview:
    """Current (last run) and previewed customers per tier for `weights` (value key id → the
    key's activity and weight; keys left out keep their saved values). No writes."""
    keys = list(ValueKey.objects.filter(tenant=tenant).order_by("order", "id"))
    merged = {
        key.pk: weights.get(key.pk, KeyWeight(is_active=key.is_active, weight=key.weight))
        for key in keys
    }
    run = run_last_succeeded(tenant=tenant)
    run_keys = [entry["value_key"] for entry in run.weights] if run else []
    shares = score_shares(merged)
    key_rows = [
        KeyPreview(
            key=key,
            weight=merged[key.pk].weight if merged[key.pk].is_active else None,
            share=shares[key.pk],
            in_last_run=key.pk in run_keys,
        )
        for key in keys
    ]
    if run is None:
        return WeightPreview(run=None, keys=key_rows)

    tiers = list(Tier.objects.filter(tenant=tenant).order_by("position"))
    mode = "share" if all(tier.min_score is None for tier in tiers) else "threshold"
    score, params = _score_sql(run_keys, merged)
    params["tenant"] = tenant.pk
    cumulative = Decimal(0)
    for index, tier in enumerate(tiers):
        cumulative += tier.share_percent or Decimal(0)
        params[f"tier_id_{index}"] = tier.pk
        params[f"tier_cumulative_{index}"] = cumulative
        params[f"tier_threshold_{index}"] = tier.min_score if tier.min_score is not None else 0
    sql = statement("weight_preview").format(
        score=score, tier_case=tier_case_sql(tier_ids=[t.pk for t in tiers], mode=mode)
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()

    current: dict[int | None, int] = {}
    previewed: dict[int | None, int] = {}
    moved = customers = 0
    for current_tier, preview_tier, count in rows:
        current[current_tier] = current.get(current_tier, 0) + count
        previewed[preview_tier] = previewed.get(preview_tier, 0) + count
        customers += count
        if current_tier != preview_tier:
            moved += count
    tier_rows = [
        TierPreview(tier=tier, current=current.get(tier.pk, 0), previewed=previewed.get(tier.pk, 0))
        for tier in tiers
    ]
    known = {tier.pk for tier in tiers}
    without_current = sum(n for pk, n in current.items() if pk not in known)
    without_preview = sum(n for pk, n in previewed.items() if pk not in known)
    if without_current or without_preview:
        tier_rows.append(TierPreview(tier=None, current=without_current, previewed=without_preview))
    return WeightPreview(run=run, keys=key_rows, tiers=tier_rows, customers=customers, moved=moved)
