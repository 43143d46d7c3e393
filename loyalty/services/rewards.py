"""Rewards: redeeming them for points (the member's row lock serialises redemptions of the
same points; a conditional UPDATE of the stock (stock > 0) serialises the last item), and
the catalogue that tenant admins keep (add, change, take off the offer)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.audit import audit_log, user_or_none
from crm.models import Tenant
from customers.models import Customer
from loyalty.models import EntryKind, EntrySource, Member, PointsEntry, Reward, RewardRedemption
from loyalty.selectors import customer_tier_id
from loyalty.services.errors import LoyaltyError
from loyalty.services.ledger import programme_active
from loyalty.services.programme import _invalid, _plain
from segmentation.models import Tier


@transaction.atomic
def reward_redeem(
    *, tenant: Tenant, actor: Any, customer: Customer, reward_id: int, request_key: str
) -> RewardRedemption:
    """Spend the member's available points on a reward. `request_key` (the confirmation
    form's one-time token) makes a double submit redeem once."""
    programme = programme_active(tenant=tenant)
    if programme is None:
        raise LoyaltyError(_("The company has no active loyalty programme."))
    member = (
        Member.objects.select_for_update().filter(tenant=tenant, customer_id=customer.pk).first()
    )
    if member is None or member.left_at is not None:
        raise LoyaltyError(_("This customer is not a member of the loyalty programme."))
    key = f"redeem:{request_key}"
    if PointsEntry.objects.filter(tenant=tenant, idempotency_key=key).exists():
        raise LoyaltyError(_("This redemption was already made."))
    reward = Reward.objects.filter(tenant=tenant, pk=reward_id).first()
    today = timezone.localdate(timezone=tenant.zone)
    if (
        reward is None
        or not reward.is_active
        or (reward.starts_on and reward.starts_on > today)
        or (reward.ends_on and reward.ends_on < today)
    ):
        raise LoyaltyError(_("This reward is not on offer."))
    allowed = set(reward.tiers.values_list("pk", flat=True))
    if allowed and customer_tier_id(tenant=tenant, customer=customer) not in allowed:
        raise LoyaltyError(_("This reward is not offered to the customer's tier."))
    if member.available < programme.min_redeem_balance:
        raise LoyaltyError(
            _("A member needs at least %(points)d available points to redeem.")
            % {"points": programme.min_redeem_balance}
        )
    if member.available < reward.points_cost:
        raise LoyaltyError(
            _("Not enough points: %(available)d available, %(cost)d needed.")
            % {"available": member.available, "cost": reward.points_cost}
        )
    if reward.stock is not None:
        taken = Reward.objects.filter(tenant=tenant, pk=reward.pk, stock__gt=0).update(
            stock=F("stock") - 1
        )
        if not taken:
            raise LoyaltyError(_("This reward is out of stock."))
    redemption = RewardRedemption.objects.create(
        tenant=tenant,
        reward=reward,
        member=member,
        points=reward.points_cost,
        created_by=user_or_none(actor),
    )
    PointsEntry.objects.create(
        tenant=tenant,
        member=member,
        kind=EntryKind.REDEEM,
        source=EntrySource.REWARD,
        available_delta=-reward.points_cost,
        reason=str(reward)[:255],
        idempotency_key=key,
        reward=reward,
        created_by=user_or_none(actor),
    )
    Member.objects.filter(pk=member.pk).update(available=F("available") - reward.points_cost)
    audit_log(
        tenant=tenant,
        actor=actor,
        action="loyalty.points.redeemed",
        target=redemption,
        data={"reward": reward.pk, "points": reward.points_cost, "customer": customer.pk},
    )
    return redemption


# --- the catalogue, for tenant admins -------------------------------------------------------

REWARD_FIELDS = ("name", "description", "points_cost", "stock", "starts_on", "ends_on", "is_active")


def _reward_audit_values(reward: Reward) -> dict[str, Any]:
    values = {field: _plain(getattr(reward, field)) for field in REWARD_FIELDS}
    values["tiers"] = sorted(str(tier) for tier in reward.tiers.all()) if reward.pk else []
    return values


@transaction.atomic
def reward_save(
    *,
    tenant: Tenant,
    actor: Any,
    reward: Reward | None,
    name: str,
    description: str,
    points_cost: int,
    stock: int | None,
    starts_on: date | None,
    ends_on: date | None,
    is_active: bool,
    tiers: Sequence[Tier] = (),
) -> Reward:
    """Add a reward to the catalogue (reward=None) or change one; no tiers means every tier.
    Under the reward's row lock, so a stock typed in does not race a redemption's decrement.
    Audited with before and after."""
    if any(tier.tenant_id != tenant.pk for tier in tiers):
        raise LoyaltyError(_("A tier does not belong to this company."))
    if starts_on and ends_on and ends_on < starts_on:
        raise LoyaltyError(_("The last day cannot be before the first."))
    if reward is None:
        reward, before = Reward(tenant=tenant), None
    else:
        reward = Reward.objects.select_for_update().get(tenant=tenant, pk=reward.pk)
        before = _reward_audit_values(reward)
    reward.name = name.strip()
    reward.description = description.strip()
    reward.points_cost = points_cost
    reward.stock = stock
    reward.starts_on = starts_on
    reward.ends_on = ends_on
    reward.is_active = is_active
    try:
        reward.full_clean(exclude=["tenant"])
    except ValidationError as error:
        raise _invalid(error) from error
    reward.save()
    reward.tiers.set(tiers)
    audit_log(
        tenant=tenant,
        actor=actor,
        action=f"loyalty.reward.{'created' if before is None else 'changed'}",
        target=reward,
        data={"before": before, "after": _reward_audit_values(reward)},
    )
    return reward


@transaction.atomic
def reward_deactivate(*, tenant: Tenant, actor: Any, reward: Reward) -> Reward:
    """Take a reward off the offer (its redemptions stay; it can be made active again)."""
    updated = Reward.objects.filter(tenant=tenant, pk=reward.pk, is_active=True).update(
        is_active=False
    )
    if not updated:
        raise LoyaltyError(_("This reward is already off the offer."))
    audit_log(tenant=tenant, actor=actor, action="loyalty.reward.deactivated", target=reward)
    reward.refresh_from_db()
    return reward
