"""Coupons: batches of hard-to-guess codes (one for a customer, or 100,000 scratch cards),
checking and redeeming them atomically."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.audit import audit_log, user_or_none
from crm.models import Tenant
from customers.models import Customer
from loyalty import sql
from loyalty.models import Coupon, CouponBatch, CouponUse, DiscountType
from loyalty.services.errors import LoyaltyError
from segmentation.models import Segment
from segmentation.segment_selectors import segment_members

# 32 symbols without 0/O and 1/I (read aloud or off a scratch card, they are confused); a
# power of two, so each random byte gives one symbol without bias. 10 symbols: 2^50 codes,
# so guessing one of a 100,000-code batch takes ~10^10 tries.
ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
CODE_LENGTH = 10
MAX_BATCH = 200_000
_SYMBOL_OF_BYTE = bytes(ord(ALPHABET[byte % 32]) for byte in range(256))


def codes_generate(count: int) -> list[str]:
    """`count` random codes from the operating system's CSPRNG (secrets), in bulk."""
    text = secrets.token_bytes(count * CODE_LENGTH).translate(_SYMBOL_OF_BYTE).decode("ascii")
    return [text[i : i + CODE_LENGTH] for i in range(0, len(text), CODE_LENGTH)]


def code_normalise(code: str) -> str:
    """What staff type: any case, with spaces or dashes."""
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


def _codes_insert(*, tenant: Tenant, batch: CouponBatch, count: int, customer_id: int | None):
    """COPY fresh codes into a staging table and insert those the tenant does not have yet;
    repeat for the few that collided (rare: 2^50 codes)."""
    missing = count
    with connection.cursor() as cursor:
        while missing:
            cursor.execute(sql.CREATE_CODE_STAGING)
            with cursor.copy(sql.COPY_CODES) as copy:
                copy.write("".join(f"{code}\n" for code in codes_generate(missing)))
            cursor.execute(
                sql.INSERT_CODES,
                {
                    "tenant": tenant.pk,
                    "batch": batch.pk,
                    "max_uses": batch.max_uses,
                    "customer": customer_id,
                },
            )
            missing -= cursor.rowcount
            cursor.execute(sql.DROP_CODE_STAGING)


@transaction.atomic
def coupon_batch_create(
    *,
    tenant: Tenant,
    actor: Any,
    name: str,
    discount_type: str,
    value: Decimal,
    size: int = 1,
    min_spend: Decimal = Decimal("0"),
    valid_until: date | None = None,
    max_uses: int = 1,
    customer: Customer | None = None,
    segment: Segment | None = None,
) -> CouponBatch:
    """Make `size` codes with the same terms, for anyone, one customer, or one segment."""
    if not name.strip():
        raise LoyaltyError(_("Give the batch a name."))
    if discount_type not in DiscountType.values:
        raise LoyaltyError(_("Choose a percentage or a fixed amount."))
    if value <= 0 or (discount_type == DiscountType.PERCENT and value > 100):
        raise LoyaltyError(_("A discount is more than 0 (and a percentage at most 100)."))
    if min_spend < 0:
        raise LoyaltyError(_("The minimum spend cannot be negative."))
    if max_uses < 1:
        raise LoyaltyError(_("A code can be used at least once."))
    if not 1 <= size <= MAX_BATCH:
        raise LoyaltyError(_("A batch has 1 to %(max)d codes.") % {"max": MAX_BATCH})
    if customer is not None and segment is not None:
        raise LoyaltyError(_("Assign the coupons to a customer or to a segment, not both."))
    for owned in (customer, segment):
        if owned is not None and owned.tenant_id != tenant.pk:
            raise LoyaltyError(_("The customer or segment does not belong to this company."))
    batch = CouponBatch.objects.create(
        tenant=tenant,
        name=name.strip(),
        discount_type=discount_type,
        value=value,
        min_spend=min_spend,
        valid_until=valid_until,
        max_uses=max_uses,
        segment=segment,
        size=size,
        created_by=user_or_none(actor),
    )
    _codes_insert(
        tenant=tenant, batch=batch, count=size, customer_id=customer.pk if customer else None
    )
    audit_log(
        tenant=tenant,
        actor=actor,
        action="loyalty.coupons.created",
        target=batch,
        data={"codes": size, "customer": customer.pk if customer else None},
    )
    return batch


def coupon_issue(*, tenant: Tenant, batch: CouponBatch, customer_id: int) -> Coupon:
    """One more code with the batch's terms, for one customer (cashback coupons)."""
    [code] = codes_generate(1)
    return Coupon.objects.create(
        tenant=tenant, batch=batch, code=code, max_uses=batch.max_uses, customer_id=customer_id
    )


def coupons_issue(*, tenant: Tenant, batch: CouponBatch, customer_ids: list[int]) -> list[Coupon]:
    """One more code with the batch's terms for each customer of `customer_ids` (a customer
    listed twice gets two), in the same order, in one INSERT (again only for the rare code
    the tenant already had)."""
    coupons: list[Coupon | None] = [None] * len(customer_ids)
    missing = list(range(len(customer_ids)))
    with connection.cursor() as cursor:
        while missing:
            codes = codes_generate(len(missing))
            cursor.execute(
                sql.INSERT_ISSUED_CODES,
                {
                    "tenant": tenant.pk,
                    "batch": batch.pk,
                    "max_uses": batch.max_uses,
                    "customers": [customer_ids[index] for index in missing],
                    "codes": codes,
                },
            )
            issued = {code: coupon_id for coupon_id, code in cursor.fetchall()}
            left = []
            for index, code in zip(missing, codes, strict=True):
                coupon_id = issued.pop(code, None)  # a code drawn twice goes in once
                if coupon_id is None:
                    left.append(index)
                    continue
                coupons[index] = Coupon(
                    pk=coupon_id,
                    tenant=tenant,
                    batch=batch,
                    code=code,
                    max_uses=batch.max_uses,
                    customer_id=customer_ids[index],
                )
                coupons[index]._state.adding = False
            missing = left
    return coupons  # type: ignore[return-value]  (every index filled)


@dataclass(frozen=True)
class CouponQuote:
    coupon: Coupon
    discount: Decimal


def _discount(batch: CouponBatch, spend: Decimal) -> Decimal:
    if batch.discount_type == DiscountType.PERCENT:
        return (spend * batch.value / 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return min(batch.value, spend)


def _quote(*, tenant: Tenant, coupon: Coupon | None, customer: Customer, spend: Decimal):
    if coupon is None:
        raise LoyaltyError(_("No coupon has this code."))
    batch = coupon.batch
    today = timezone.localdate(timezone=tenant.zone)
    if batch.valid_until is not None and batch.valid_until < today:
        raise LoyaltyError(_("This coupon expired on %(day)s.") % {"day": batch.valid_until})
    if coupon.uses >= coupon.max_uses:
        raise LoyaltyError(_("This coupon has already been used."))
    if coupon.customer_id is not None and coupon.customer_id != customer.pk:
        raise LoyaltyError(_("This coupon belongs to another customer."))
    if (
        batch.segment_id is not None
        and not segment_members(tenant=tenant, segment=batch.segment)
        .filter(pk=customer.pk)
        .exists()
    ):
        raise LoyaltyError(
            _("This coupon is for customers of the segment “%(segment)s”.")
            % {"segment": batch.segment}
        )
    if spend < batch.min_spend:
        raise LoyaltyError(
            _("This coupon needs a spend of at least %(amount)s.") % {"amount": batch.min_spend}
        )
    return CouponQuote(coupon=coupon, discount=_discount(batch, spend))


def coupon_check(*, tenant: Tenant, code: str, customer: Customer, spend: Decimal) -> CouponQuote:
    """Would the code work for this customer and spend, and for what discount?"""
    coupon = (
        Coupon.objects.filter(tenant=tenant, code=code_normalise(code))
        .select_related("batch__segment")
        .first()
    )
    return _quote(tenant=tenant, coupon=coupon, customer=customer, spend=spend)


@transaction.atomic
def coupon_redeem(
    *, tenant: Tenant, actor: Any, code: str, customer: Customer, spend: Decimal
) -> CouponUse:
    """Use a code for a customer's purchase of `spend`: checked and counted under the
    coupon's row lock, so a single-use code works once however many try at once."""
    if customer.tenant_id != tenant.pk:
        raise LoyaltyError(_("The customer does not belong to this company."))
    coupon = (
        Coupon.objects.select_for_update(of=("self",))
        .filter(tenant=tenant, code=code_normalise(code))
        .select_related("batch__segment")
        .first()
    )
    quote = _quote(tenant=tenant, coupon=coupon, customer=customer, spend=spend)
    Coupon.objects.filter(pk=coupon.pk).update(uses=coupon.uses + 1)
    use = CouponUse.objects.create(
        tenant=tenant,
        coupon=coupon,
        customer=customer,
        spend=spend,
        discount=quote.discount,
        created_by=user_or_none(actor),
    )
    audit_log(
        tenant=tenant,
        actor=actor,
        action="loyalty.coupon.redeemed",
        target=use,
        data={"code": coupon.code, "customer": customer.pk, "discount": str(quote.discount)},
    )
    return use
