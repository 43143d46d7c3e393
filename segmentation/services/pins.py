"""Pinning a customer's tier by hand, and removing the pin; both leave history and an audit."""

from __future__ import annotations

from datetime import date

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.audit import audit_log
from crm.models import Tenant
from customers.models import Customer
from segmentation.models import CustomerScore, Tier, TierChange, TierChangeReason, TierPin
from segmentation.services.recompute import RECOMPUTE_LOCK_CLASS


class PinError(Exception):
    """A pin change that cannot be made; the message is for the user."""


def _wait_for_recompute(*, tenant: Tenant) -> None:
    # A pin written while a recompute runs would be overwritten by it: wait for it to finish.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s, %s::int)", [RECOMPUTE_LOCK_CLASS, tenant.pk]
        )


def _current_score(*, tenant: Tenant, customer: Customer) -> CustomerScore | None:
    return (
        CustomerScore.objects.with_scopes_disabled()
        .select_for_update()
        .filter(tenant=tenant, customer=customer)
        .first()
    )


@transaction.atomic
def tier_pin_set(
    *,
    tenant: Tenant,
    customer: Customer,
    tier: Tier,
    reason: str,
    until: date | None,
    actor,
) -> TierPin:
    """Keep the customer in `tier` until `until` (or until removed), whatever the score says."""
    if customer.tenant_id != tenant.pk or tier.tenant_id != tenant.pk:
        raise PinError(_("This customer or tier belongs to another company."))
    if not reason.strip():
        raise PinError(_("Say why the tier is pinned."))
    if until is not None and until < timezone.now().astimezone(tenant.zone).date():
        raise PinError(_("The end date of a pin cannot be in the past."))
    _wait_for_recompute(tenant=tenant)
    pins = TierPin.objects.with_scopes_disabled()
    previous = pins.filter(tenant=tenant, customer=customer, is_active=True).first()
    if previous is not None:
        previous.is_active = False
        previous.removed_by = actor
        previous.removed_at = timezone.now()
        previous.save(update_fields=["is_active", "removed_by", "removed_at"])
    pin = pins.create(
        tenant=tenant, customer=customer, tier=tier, reason=reason.strip(), until=until,
        pinned_by=actor,
    )  # fmt: skip
    score = _current_score(tenant=tenant, customer=customer)
    from_tier_id = score.tier_id if score is not None else None
    if score is not None:
        score.tier = tier
        score.is_pinned = True
        score.save(update_fields=["tier", "is_pinned"])
    TierChange.objects.with_scopes_disabled().create(
        tenant=tenant,
        customer=customer,
        from_tier_id=from_tier_id,
        to_tier=tier,
        reason=TierChangeReason.PINNED,
        note=pin.reason,
        changed_by=actor,
    )
    audit_log(
        tenant=tenant,
        actor=actor,
        action="segmentation.tier.pinned",
        target=customer,
        data={
            "tier": tier.pk,
            "tier_name": tier.name_tr,
            "from_tier": from_tier_id,
            "reason": pin.reason,
            "until": until.isoformat() if until else None,
        },
    )
    return pin


@transaction.atomic
def tier_pin_remove(*, tenant: Tenant, customer: Customer, actor) -> None:
    """End the customer's active pin; they go back to the tier their score gives."""
    _wait_for_recompute(tenant=tenant)
    pin = (
        TierPin.objects.with_scopes_disabled()
        .filter(tenant=tenant, customer=customer, is_active=True)
        .first()
    )
    if pin is None:
        raise PinError(_("This customer's tier is not pinned."))
    pin.is_active = False
    pin.removed_by = actor
    pin.removed_at = timezone.now()
    pin.save(update_fields=["is_active", "removed_by", "removed_at"])
    score = _current_score(tenant=tenant, customer=customer)
    if score is not None:
        from_tier_id = score.tier_id
        score.tier_id = score.computed_tier_id
        score.is_pinned = False
        score.save(update_fields=["tier", "is_pinned"])
        TierChange.objects.with_scopes_disabled().create(
            tenant=tenant,
            customer=customer,
            from_tier_id=from_tier_id,
            to_tier_id=score.computed_tier_id,
            reason=TierChangeReason.UNPINNED,
            changed_by=actor,
        )
    audit_log(
        tenant=tenant,
        actor=actor,
        action="segmentation.tier.unpinned",
        target=customer,
        data={"tier": pin.tier_id, "reason": pin.reason},
    )
