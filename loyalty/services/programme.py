"""Configuring the programme from the settings page: the programme's terms with the tier
multipliers in one save, and the bonus rules one by one. Every change is audited with what
it was before and what it is now."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from crm.audit import audit_log
from crm.models import Tenant
from customers.models import ProductCategory
from loyalty.models import BonusRule, Programme, TierMultiplier
from loyalty.services.errors import LoyaltyError
from segmentation.models import Tier

# The programme's terms a tenant admin sets (the nightly runs' bookkeeping is not among them).
PROGRAMME_FIELDS = (
    "name",
    "is_active",
    "starts_on",
    "points_per_unit",
    "point_value",
    "currency",
    "return_window_days",
    "expiry_months",
    "welcome_bonus",
    "min_redeem_balance",
    "enrolment",
)


@dataclass(frozen=True)
class TierTerms:
    """What a tier's members earn (× the base points) and get."""

    multiplier: Decimal
    benefits: str = ""


def _plain(value: Any) -> Any:
    # Audit data is JSON: decimals (without trailing zeros: 1.5, not 1.500) and dates as text.
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _invalid(error: ValidationError) -> LoyaltyError:
    return LoyaltyError(" ".join(error.messages))


@transaction.atomic
def programme_settings_save(
    *,
    tenant: Tenant,
    actor: Any,
    terms: dict[str, Any],
    tiers: dict[int, TierTerms],
) -> Programme:
    """Create or change the company's programme and its tier multipliers together. `terms`
    holds PROGRAMME_FIELDS; `tiers` maps a tier of the company to its terms. Audited as
    loyalty.programme.changed (or .created) with the fields before and after."""
    unknown = set(terms) - set(PROGRAMME_FIELDS)
    if unknown:
        raise ValueError(f"Not programme settings: {sorted(unknown)}")
    programme = Programme.objects.select_for_update().filter(tenant=tenant).first()
    created = programme is None
    if created:
        programme = Programme(tenant=tenant)
    before = {field: _plain(getattr(programme, field)) for field in PROGRAMME_FIELDS}
    for field, value in terms.items():
        setattr(programme, field, value)
    try:
        programme.full_clean(exclude=["tenant"])
    except ValidationError as error:
        raise _invalid(error) from error
    programme.save()
    after = {field: _plain(getattr(programme, field)) for field in PROGRAMME_FIELDS}
    changes = {
        field: {"before": before[field], "after": after[field]}
        for field in PROGRAMME_FIELDS
        if created or before[field] != after[field]
    }
    changes.update(_tier_terms_save(tenant=tenant, tiers=tiers))
    if changes:
        audit_log(
            tenant=tenant,
            actor=actor,
            action=f"loyalty.programme.{'created' if created else 'changed'}",
            target=programme,
            data={"changes": changes},
        )
    return programme


def _tier_terms_save(*, tenant: Tenant, tiers: dict[int, TierTerms]) -> dict[str, Any]:
    """Write the tiers' multipliers; returns the changes as audit data."""
    names = {
        tier.pk: tier.name_tr for tier in Tier.objects.filter(tenant=tenant, pk__in=list(tiers))
    }
    if set(tiers) - set(names):
        raise LoyaltyError(_("A tier does not belong to this company."))
    current = {
        row.tier_id: row for row in TierMultiplier.objects.filter(tenant=tenant, tier__in=tiers)
    }
    changes = {}
    for tier_id, wanted in tiers.items():
        row = current.get(tier_id) or TierMultiplier(tenant=tenant, tier_id=tier_id)
        before = {"multiplier": _plain(Decimal(row.multiplier)), "benefits": row.benefits}
        if row.pk is None:
            before = {"multiplier": "1", "benefits": ""}  # what a tier without a row earns
        row.multiplier = wanted.multiplier
        row.benefits = wanted.benefits
        after = {"multiplier": _plain(Decimal(row.multiplier)), "benefits": row.benefits}
        if after == before:
            continue
        try:
            row.full_clean(exclude=["tenant", "tier"])
        except ValidationError as error:
            raise _invalid(error) from error
        row.save()
        changes[f"tier:{names[tier_id]}"] = {"before": before, "after": after}
    return changes


BONUS_RULE_FIELDS = (
    "name",
    "multiplier",
    "category",
    "channel",
    "starts_on",
    "ends_on",
    "is_active",
)


def _bonus_rule_audit_values(rule: BonusRule) -> dict[str, Any]:
    values = {field: _plain(getattr(rule, field)) for field in BONUS_RULE_FIELDS}
    values["category"] = str(rule.category) if rule.category_id else None
    return values


@transaction.atomic
def bonus_rule_save(
    *,
    tenant: Tenant,
    actor: Any,
    rule: BonusRule | None,
    name: str,
    multiplier: Decimal,
    category: ProductCategory | None,
    channel: str,
    starts_on: date | None,
    ends_on: date | None,
    is_active: bool,
) -> BonusRule:
    """Add a bonus rule (rule=None) or change one; audited with before and after."""
    if category is not None and category.tenant_id != tenant.pk:
        raise LoyaltyError(_("The category does not belong to this company."))
    if rule is None:
        rule = BonusRule(tenant=tenant)
        before = None
    else:
        rule = BonusRule.objects.select_for_update().get(tenant=tenant, pk=rule.pk)
        before = _bonus_rule_audit_values(rule)
    rule.name = name
    rule.multiplier = multiplier
    rule.category = category
    rule.channel = channel
    rule.starts_on = starts_on
    rule.ends_on = ends_on
    rule.is_active = is_active
    try:
        rule.full_clean(exclude=["tenant"])
    except ValidationError as error:
        raise _invalid(error) from error
    rule.save()
    audit_log(
        tenant=tenant,
        actor=actor,
        action=f"loyalty.bonusrule.{'created' if before is None else 'changed'}",
        target=rule,
        data={"before": before, "after": _bonus_rule_audit_values(rule)},
    )
    return rule


@transaction.atomic
def bonus_rule_delete(*, tenant: Tenant, actor: Any, rule: BonusRule) -> None:
    """Remove a bonus rule: later purchases no longer match it (points already earned stay)."""
    rule = BonusRule.objects.select_for_update().get(tenant=tenant, pk=rule.pk)
    audit_log(
        tenant=tenant,
        actor=actor,
        action="loyalty.bonusrule.deleted",
        target=rule,
        data={"before": _bonus_rule_audit_values(rule)},
    )
    rule.delete()
