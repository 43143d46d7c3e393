"""The rules a tenant's value keys and tiers must keep, and the audit of every change to them.

The admin calls these with the configuration as it would be after the change (the other rows
from the database plus the edited ones), so each rule is checked once, here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from itertools import pairwise
from typing import Any

from django.core.exceptions import ValidationError
from django.forms.models import model_to_dict
from django.utils.translation import gettext as _

from crm.audit import audit_log
from crm.models import Tenant
from segmentation.models import MAX_ABS_WEIGHT, Tier, ValueKey


@dataclass(frozen=True)
class KeyDraft:
    is_active: bool
    weight: Decimal


@dataclass(frozen=True)
class TierDraft:
    position: int
    share_percent: Decimal | None
    min_score: Decimal | None


def value_keys_validate(keys: Iterable[KeyDraft]) -> None:
    """At least one active key; a positive weight among them; every weight within ±100."""
    active = [key for key in keys if key.is_active]
    if not active:
        raise ValidationError(
            _("Keep at least one value key active: scores need something to count.")
        )
    if any(abs(key.weight) > MAX_ABS_WEIGHT for key in active):
        raise ValidationError(
            _("Weights must be between -%(limit)s and %(limit)s."), params={"limit": MAX_ABS_WEIGHT}
        )
    if not any(key.weight > 0 for key in active):
        raise ValidationError(
            _(
                "At least one active key needs a positive weight; with only penalties (or only "
                "zeros) every customer without a penalty would score the same."
            )
        )


def tiers_validate(tiers: Iterable[TierDraft]) -> None:
    """Either every tier has a share and the shares add up to 100, or every tier has a score
    threshold and the thresholds go down from the peak."""
    ordered = sorted(tiers, key=lambda tier: tier.position)
    if not ordered:
        raise ValidationError(_("Keep at least one tier."))
    positions = [tier.position for tier in ordered]
    if len(set(positions)) != len(positions):
        raise ValidationError(_("Two tiers cannot have the same position."))
    with_share = [tier for tier in ordered if tier.share_percent is not None]
    with_threshold = [tier for tier in ordered if tier.min_score is not None]
    if len(with_share) == len(ordered):
        total = sum((tier.share_percent for tier in ordered), Decimal(0))
        if total != 100:
            raise ValidationError(
                _("The shares of the tiers add up to %(total)s%%; they must add up to 100%%."),
                params={"total": format(total.normalize(), "f")},
            )
        return
    if len(with_threshold) == len(ordered):
        thresholds = [tier.min_score for tier in ordered]
        if any(lower >= higher for higher, lower in pairwise(thresholds)):
            raise ValidationError(
                _("Score thresholds must go down from the peak (position 1) to the base.")
            )
        return
    raise ValidationError(
        _("Give every tier either a share of customers or a score threshold, not a mix.")
    )


def _snapshot(instance: Any, fields: list[str]) -> dict[str, Any]:
    data = model_to_dict(instance, fields=fields)
    return {
        name: str(value) if isinstance(value, Decimal) else value for name, value in data.items()
    }


VALUE_KEY_FIELDS = [
    "metric",
    "weight",
    "window_days",
    "normalisation",
    "is_active",
    "description",
    "order",
]
TIER_FIELDS = ["position", "name_tr", "name_en", "share_percent", "min_score", "colour", "strategy"]


def value_key_snapshot(key: ValueKey) -> dict[str, Any]:
    return _snapshot(key, VALUE_KEY_FIELDS)


def tier_snapshot(tier: Tier) -> dict[str, Any]:
    return _snapshot(tier, TIER_FIELDS)


def configuration_change_record(
    *,
    tenant: Tenant,
    actor,
    target: ValueKey | Tier,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> None:
    """Audit one added, changed or deleted key or tier: who, when, what before and after."""
    action = (
        "segmentation.weights.changed"
        if isinstance(target, ValueKey)
        else "segmentation.tiers.changed"
    )
    changed = sorted(
        name
        for name in set(before or {}) | set(after or {})
        if (before or {}).get(name) != (after or {}).get(name)
    )
    audit_log(
        tenant=tenant,
        actor=actor,
        action=action,
        target=target,
        data={"before": before, "after": after, "changed": changed},
    )
