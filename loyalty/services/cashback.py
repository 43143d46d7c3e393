"""Cashback: customers who spent at least a rule's threshold in a month or quarter get points
or a coupon, once per customer, rule and period, however often the job runs; and the rules,
which tenant admins keep."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.audit import audit_log
from crm.models import Tenant
from loyalty import sql
from loyalty.models import (
    CashbackAward,
    CashbackPeriod,
    CashbackRule,
    CouponBatch,
    EntrySource,
    Member,
)
from loyalty.services.coupons import coupon_issue
from loyalty.services.errors import LoyaltyError
from loyalty.services.ledger import _credit_available, _rows, programme_active
from loyalty.services.programme import _invalid, _plain


def previous_period(*, period: str, today: date) -> tuple[date, date]:
    """The last complete month or quarter before `today`: (first day, first day after)."""
    months = 1 if period == CashbackPeriod.MONTH else 3
    current_start_month = (today.month - 1) // months * months + 1
    end = date(today.year, current_start_month, 1)
    start_month = end.month - months
    start = date(end.year - (start_month < 1), (start_month - 1) % 12 + 1, 1)
    return start, end


@transaction.atomic
def cashback_award(*, tenant: Tenant, rule: CashbackRule, today: date | None = None) -> int:
    """Award the rule for the last complete period. Returns how many customers were awarded
    now (0 when it already ran for that period)."""
    programme = programme_active(tenant=tenant)
    if programme is None or not rule.is_active:
        return 0
    today = today or timezone.localdate(timezone=tenant.zone)
    start, end = previous_period(period=rule.period, today=today)
    awards = _rows(
        sql.CASHBACK_AWARD,
        {
            "tenant": tenant.pk,
            "rule": rule.pk,
            "period_start": start,
            "starts_at": datetime.combine(start, time.min, tzinfo=tenant.zone),
            "ends_at": datetime.combine(end, time.min, tzinfo=tenant.zone),
            "threshold": rule.threshold,
        },
    )
    if not awards:
        return 0
    customer_ids = [customer_id for _award, customer_id in awards]
    if rule.points:
        members = list(
            Member.objects.filter(
                tenant=tenant, customer_id__in=customer_ids, left_at__isnull=True
            ).values_list("pk", flat=True)
        )
        _credit_available(
            tenant=tenant,
            programme=programme,
            member_ids=members,
            points=rule.points,
            source=EntrySource.CASHBACK,
            key_prefix=f"cashback:{rule.pk}:{start.isoformat()}:",
            reason=_("Cashback: %(rule)s") % {"rule": rule.name},
        )
    if rule.coupon_batch_id is not None:
        batch = rule.coupon_batch
        by_customer = dict((customer_id, award_id) for award_id, customer_id in awards)
        for customer_id, award_id in by_customer.items():
            coupon = coupon_issue(tenant=tenant, batch=batch, customer_id=customer_id)
            CashbackAward.objects.filter(pk=award_id).update(coupon=coupon)
    return len(awards)


def cashback_award_all(*, tenant: Tenant, today: date | None = None) -> int:
    awarded = 0
    for rule in CashbackRule.objects.filter(tenant=tenant, is_active=True).select_related(
        "coupon_batch"
    ):
        awarded += cashback_award(tenant=tenant, rule=rule, today=today)
    return awarded


# --- the rules, for tenant admins -----------------------------------------------------------

CASHBACK_RULE_FIELDS = ("name", "period", "threshold", "points", "coupon_batch", "is_active")


def _rule_audit_values(rule: CashbackRule) -> dict[str, Any]:
    values = {field: _plain(getattr(rule, field)) for field in CASHBACK_RULE_FIELDS}
    values["coupon_batch"] = str(rule.coupon_batch) if rule.coupon_batch_id else None
    return values


@transaction.atomic
def cashback_rule_save(
    *,
    tenant: Tenant,
    actor: Any,
    rule: CashbackRule | None,
    name: str,
    period: str,
    threshold: Decimal,
    points: int,
    coupon_batch: CouponBatch | None,
    is_active: bool,
) -> CashbackRule:
    """Add a cashback rule (rule=None) or change one; it gives points, a coupon, or both.
    Audited with before and after."""
    if coupon_batch is not None and coupon_batch.tenant_id != tenant.pk:
        raise LoyaltyError(_("The coupon batch does not belong to this company."))
    if not points and coupon_batch is None:
        raise LoyaltyError(_("A cashback rule credits points, issues a coupon, or both."))
    if rule is None:
        rule, before = CashbackRule(tenant=tenant), None
    else:
        rule = CashbackRule.objects.select_for_update().get(tenant=tenant, pk=rule.pk)
        before = _rule_audit_values(rule)
    rule.name = name.strip()
    rule.period = period
    rule.threshold = threshold
    rule.points = points or 0
    rule.coupon_batch = coupon_batch
    rule.is_active = is_active
    try:
        rule.full_clean(exclude=["tenant"])
    except ValidationError as error:
        raise _invalid(error) from error
    rule.save()
    audit_log(
        tenant=tenant,
        actor=actor,
        action=f"loyalty.cashbackrule.{'created' if before is None else 'changed'}",
        target=rule,
        data={"before": before, "after": _rule_audit_values(rule)},
    )
    return rule


@transaction.atomic
def cashback_rule_remove(*, tenant: Tenant, actor: Any, rule: CashbackRule) -> bool:
    """Remove a rule that never awarded anything; a rule with awards keeps them as history
    and is switched off instead. Returns True when the rule was deleted."""
    rule = CashbackRule.objects.select_for_update().get(tenant=tenant, pk=rule.pk)
    before = _rule_audit_values(rule)
    if CashbackAward.objects.filter(tenant=tenant, rule=rule).exists():
        CashbackRule.objects.filter(tenant=tenant, pk=rule.pk).update(is_active=False)
        audit_log(
            tenant=tenant,
            actor=actor,
            action="loyalty.cashbackrule.deactivated",
            target=rule,
            data={"before": before},
        )
        return False
    audit_log(
        tenant=tenant,
        actor=actor,
        action="loyalty.cashbackrule.deleted",
        target=rule,
        data={"before": before},
    )
    rule.delete()
    return True
