"""Coupons: codes, discounts, limits, expiry, assignment; scratch-card batches."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from crm.models import AuditEntry
from loyalty.models import Coupon, CouponUse
from loyalty.services import LoyaltyError
from loyalty.services.coupons import (
    ALPHABET,
    CODE_LENGTH,
    code_normalise,
    codes_generate,
    coupon_batch_create,
    coupon_check,
    coupon_redeem,
)
from segmentation.models import Segment
from tests.factories import CustomerFactory

pytestmark = pytest.mark.usefixtures("tenant_scope", "programme")


def _batch(tenant, **terms):
    terms = {"name": "Bahar", "discount_type": "amount", "value": Decimal("50"), **terms}
    return coupon_batch_create(tenant=tenant, actor=None, **terms)


def _code(batch) -> str:
    return Coupon.objects.filter(batch=batch).values_list("code", flat=True).first()


def test_codes_are_random_from_the_unambiguous_alphabet():
    codes = codes_generate(5000)

    assert len(set(codes)) == 5000
    assert all(len(code) == CODE_LENGTH and set(code) <= set(ALPHABET) for code in codes)
    assert not set("01IO") & set(ALPHABET)
    assert len(ALPHABET) == 32


def test_a_scratch_card_batch_has_as_many_unique_codes_as_asked(tenant):
    batch = _batch(tenant, size=2000)

    codes = list(Coupon.objects.filter(batch=batch).values_list("code", flat=True))
    assert len(codes) == len(set(codes)) == 2000
    assert AuditEntry.objects.get(action="loyalty.coupons.created").data["codes"] == 2000


def test_percentage_discount_is_rounded_to_the_kurus(tenant, ayse):
    batch = _batch(tenant, discount_type="percent", value=Decimal("12.5"))

    quote = coupon_check(tenant=tenant, code=_code(batch), customer=ayse, spend=Decimal("80.99"))

    assert quote.discount == Decimal("10.12")  # 80.99 × 12.5 % = 10.12375


def test_a_fixed_amount_never_exceeds_the_spend(tenant, ayse):
    batch = _batch(tenant, value=Decimal("50"))

    use = coupon_redeem(
        tenant=tenant, actor=None, code=_code(batch), customer=ayse, spend=Decimal("30")
    )

    assert use.discount == Decimal("30")


def test_codes_are_typed_in_any_case_with_dashes(tenant, ayse):
    batch = _batch(tenant)
    code = _code(batch)
    typed = f"{code[:5].lower()}-{code[5:]} "

    assert code_normalise(typed) == code
    assert (
        coupon_check(tenant=tenant, code=typed, customer=ayse, spend=Decimal("60")).coupon.code
        == code
    )


def test_minimum_spend(tenant, ayse):
    batch = _batch(tenant, min_spend=Decimal("200"))

    with pytest.raises(LoyaltyError, match="at least 200"):
        coupon_check(tenant=tenant, code=_code(batch), customer=ayse, spend=Decimal("199.99"))


def test_an_expired_coupon_is_refused(tenant, ayse):
    yesterday = timezone.localdate(timezone=tenant.zone) - timedelta(days=1)
    batch = _batch(tenant, valid_until=yesterday)

    with pytest.raises(LoyaltyError, match="expired"):
        coupon_redeem(
            tenant=tenant, actor=None, code=_code(batch), customer=ayse, spend=Decimal("99")
        )


def test_a_single_use_code_works_once_and_a_limited_one_its_number_of_times(tenant, ayse):
    single = _code(_batch(tenant))
    double = _code(_batch(tenant, max_uses=2))
    spend = Decimal("100")

    coupon_redeem(tenant=tenant, actor=None, code=single, customer=ayse, spend=spend)
    with pytest.raises(LoyaltyError, match="already been used"):
        coupon_redeem(tenant=tenant, actor=None, code=single, customer=ayse, spend=spend)
    coupon_redeem(tenant=tenant, actor=None, code=double, customer=ayse, spend=spend)
    coupon_redeem(tenant=tenant, actor=None, code=double, customer=ayse, spend=spend)
    with pytest.raises(LoyaltyError, match="already been used"):
        coupon_redeem(tenant=tenant, actor=None, code=double, customer=ayse, spend=spend)
    assert CouponUse.objects.count() == 3


def test_a_customer_coupon_works_only_for_that_customer(tenant, ayse):
    other = CustomerFactory(tenant=tenant)
    code = _code(_batch(tenant, customer=ayse))

    with pytest.raises(LoyaltyError, match="another customer"):
        coupon_check(tenant=tenant, code=code, customer=other, spend=Decimal("100"))
    assert coupon_check(tenant=tenant, code=code, customer=ayse, spend=Decimal("100"))


def test_a_segment_coupon_works_only_for_the_segments_customers(tenant):
    segment = Segment.objects.create(tenant=tenant, name="Ankara", cities=["Ankara"])
    ankara = CustomerFactory(tenant=tenant, city="Ankara")
    izmir = CustomerFactory(tenant=tenant, city="İzmir")
    code = _code(_batch(tenant, segment=segment))

    with pytest.raises(LoyaltyError, match="segment"):
        coupon_check(tenant=tenant, code=code, customer=izmir, spend=Decimal("100"))
    assert coupon_check(tenant=tenant, code=code, customer=ankara, spend=Decimal("100"))


def test_another_tenants_code_is_unknown(tenant, other_tenant, ayse):
    from django_scopes import scope

    with scope(tenant=other_tenant):
        code = _code(_batch(other_tenant))

    with pytest.raises(LoyaltyError, match="No coupon"):
        coupon_check(tenant=tenant, code=code, customer=ayse, spend=Decimal("100"))


@pytest.mark.parametrize(
    ("terms", "message"),
    [
        ({"value": Decimal("0")}, "more than 0"),
        ({"discount_type": "percent", "value": Decimal("101")}, "at most 100"),
        ({"size": 0}, "1 to"),
        ({"max_uses": 0}, "at least once"),
        ({"valid_until": date(2020, 1, 1), "name": " "}, "name"),
    ],
)
def test_bad_batch_terms_are_refused(tenant, terms, message):
    with pytest.raises(LoyaltyError, match=message):
        _batch(tenant, **terms)


def test_codes_for_many_customers_are_issued_in_one_insert(tenant, ayse, django_assert_num_queries):
    from loyalty.services.coupons import coupons_issue

    mehmet = CustomerFactory(tenant=tenant)
    batch = _batch(tenant, size=1)

    with django_assert_num_queries(1):
        coupons = coupons_issue(
            tenant=tenant, batch=batch, customer_ids=[ayse.pk, mehmet.pk, ayse.pk]
        )

    assert [coupon.customer_id for coupon in coupons] == [ayse.pk, mehmet.pk, ayse.pk]
    stored = {c.pk: (c.code, c.customer_id) for c in Coupon.objects.filter(customer__isnull=False)}
    assert stored == {c.pk: (c.code, c.customer_id) for c in coupons}
    assert len({c.code for c in coupons}) == 3


def test_a_code_already_taken_or_drawn_twice_is_drawn_again(tenant, ayse, monkeypatch):
    from loyalty.services import coupons as coupon_services

    batch = _batch(tenant, size=1)
    taken = _code(batch)
    draws = iter([[taken, "BBBBBBBBBB", "BBBBBBBBBB"], ["CCCCCCCCCC", "DDDDDDDDDD"]])
    monkeypatch.setattr(coupon_services, "codes_generate", lambda count: next(draws))

    coupons = coupon_services.coupons_issue(
        tenant=tenant, batch=batch, customer_ids=[ayse.pk, ayse.pk, ayse.pk]
    )

    # The first draw's first code is the batch's own; its third repeats its second.
    assert [coupon.code for coupon in coupons] == ["CCCCCCCCCC", "BBBBBBBBBB", "DDDDDDDDDD"]
    assert Coupon.objects.filter(customer=ayse).count() == 3
