"""The admins' screens for rewards, coupon batches and cashback rules: saved through the
services with an audit entry, field errors for bad input, removals asked first and reported,
and another company's objects never offered."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from crm.models import AuditEntry
from loyalty.models import CashbackAward, CashbackRule, Coupon, CouponBatch, Reward
from loyalty.services.coupons import coupon_batch_create
from segmentation.models import Tier
from tests.loyalty.factories import RewardFactory

pytestmark = pytest.mark.usefixtures("programme")


def url(name: str, tenant, **kwargs) -> str:
    return reverse(f"loyalty:{name}", kwargs={"tenant_slug": tenant.slug, **kwargs})


def actions(tenant) -> list[str]:
    with scopes_disabled():
        return list(
            AuditEntry.objects.filter(tenant=tenant).order_by("id").values_list("action", flat=True)
        )


# --- rewards --------------------------------------------------------------------------------


def reward_data(**changes) -> dict:
    data = {
        "name": "Termos",
        "description": "Çelik, 500 ml",
        "points_cost": "150",
        "stock": "20",
        "starts_on": "2026-12-01",
        "ends_on": "2027-01-31",
        "is_active": "on",
    }
    data.update(changes)
    return data


def test_a_reward_is_added_for_some_tiers_and_changed_with_an_audit_entry_each(
    admin_client_, tenant
):
    with scopes_disabled():
        platin, altin = Tier.objects.filter(tenant=tenant).order_by("position")[:2]

    response = admin_client_.post(
        url("reward_new", tenant), reward_data(tiers=[platin.pk, altin.pk])
    )

    assert response.status_code == 302
    with scopes_disabled():
        reward = Reward.objects.get(tenant=tenant)
        assert set(reward.tiers.all()) == {platin, altin}
    assert (reward.points_cost, reward.stock) == (150, 20)
    assert (reward.starts_on, reward.ends_on) == (date(2026, 12, 1), date(2027, 1, 31))

    admin_client_.post(
        url("reward_edit", tenant, reward_id=reward.pk), reward_data(points_cost="200", stock="")
    )

    reward.refresh_from_db()
    with scopes_disabled():
        assert list(reward.tiers.all()) == []  # none ticked: every tier
        changed = AuditEntry.objects.get(tenant=tenant, action="loyalty.reward.changed")
    assert (reward.points_cost, reward.stock) == (200, None)
    assert actions(tenant) == ["loyalty.reward.created", "loyalty.reward.changed"]
    assert changed.data["before"]["points_cost"] == 150
    assert changed.data["after"]["stock"] is None
    assert changed.data["before"]["tiers"] == sorted([str(platin), str(altin)])


def test_the_catalogue_lists_rewards_with_their_tiers_in_a_fixed_number_of_queries(
    admin_client_, tenant, django_assert_max_num_queries
):
    with scopes_disabled():
        platin = Tier.objects.filter(tenant=tenant).order_by("position").first()
    for number in range(5):
        RewardFactory(tenant=tenant, name=f"Hediye {number}").tiers.add(platin)

    with django_assert_max_num_queries(12):
        body = admin_client_.get(url("rewards", tenant)).content.decode()

    assert body.count(str(platin)) >= 5
    assert "Hediye 4" in body


def test_a_reward_ending_before_it_starts_is_a_field_error(admin_client_, tenant):
    response = admin_client_.post(
        url("reward_new", tenant), reward_data(starts_on="2027-01-31", ends_on="2026-12-01")
    )

    assert response.status_code == 200
    assert "The last day cannot be before the first." in response.content.decode()
    assert not Reward.objects.with_scopes_disabled().filter(tenant=tenant).exists()


def test_a_reward_costing_no_points_or_negative_stock_is_a_field_error(admin_client_, tenant):
    response = admin_client_.post(
        url("reward_new", tenant), reward_data(points_cost="0", stock="-1")
    )

    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"points_cost", "stock"}


def test_another_tenants_tier_cannot_be_chosen(admin_client_, tenant, other_tenant):
    with scopes_disabled():
        foreign = Tier.objects.filter(tenant=other_tenant).first()

    response = admin_client_.post(url("reward_new", tenant), reward_data(tiers=[foreign.pk]))

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Reward.objects.with_scopes_disabled().filter(tenant=tenant).exists()


def test_deactivating_a_reward_asks_first_then_says_what_it_did(admin_client_, tenant):
    reward = RewardFactory(tenant=tenant, name="Kupa")
    deactivate = url("reward_deactivate", tenant, reward_id=reward.pk)

    assert "Take the reward “Kupa” off the offer?" in admin_client_.get(deactivate).content.decode()
    reward.refresh_from_db()
    assert reward.is_active

    response = admin_client_.post(deactivate, {"request_key": "x"}, follow=True)

    assert "Reward “Kupa” is no longer on offer" in response.content.decode()
    reward.refresh_from_db()
    assert not reward.is_active
    assert actions(tenant) == ["loyalty.reward.deactivated"]


# --- coupon batches -------------------------------------------------------------------------


def batch_data(**changes) -> dict:
    data = {
        "name": "Yılbaşı kartları",
        "size": "250",
        "discount_type": "amount",
        "value": "12,50",
        "min_spend": "100",
        "valid_until": "2027-01-31",
        "max_uses": "1",
        "segment": "",
    }
    data.update(changes)
    return data


def test_generating_a_batch_makes_its_codes_and_shows_the_batch(admin_client_, tenant):
    response = admin_client_.post(url("coupon_batch_new", tenant), batch_data(), follow=True)

    with scopes_disabled():
        batch = CouponBatch.objects.get(tenant=tenant)
        codes = list(Coupon.objects.filter(batch=batch).values_list("code", flat=True))
    assert (batch.value, batch.min_spend, batch.valid_until) == (
        Decimal("12.50"),
        Decimal("100"),
        date(2027, 1, 31),
    )
    assert len(set(codes)) == 250
    body = response.content.decode()
    assert "Batch “Yılbaşı kartları” made with 250 codes." in body
    assert response.context["usage"].codes == 250
    assert actions(tenant) == ["loyalty.coupons.created"]


def test_a_percentage_over_100_is_a_field_error(admin_client_, tenant):
    response = admin_client_.post(
        url("coupon_batch_new", tenant), batch_data(discount_type="percent", value="150")
    )

    assert response.status_code == 200
    assert response.context["form"].errors["value"] == ["A percentage is at most 100."]
    assert not CouponBatch.objects.with_scopes_disabled().filter(tenant=tenant).exists()


def test_too_many_codes_is_a_field_error(admin_client_, tenant):
    response = admin_client_.post(url("coupon_batch_new", tenant), batch_data(size="200001"))

    assert response.status_code == 200
    assert "size" in response.context["form"].errors


@pytest.fixture
def used_batch(tenant, ayse):
    """Five codes, the first two used (one of them twice: two uses allowed)."""
    with scope(tenant=tenant):
        batch = coupon_batch_create(
            tenant=tenant, actor=None, name="Kart", discount_type="amount", value=5, size=5,
            max_uses=2,
        )  # fmt: skip
        coupons = list(Coupon.objects.filter(batch=batch).order_by("id"))
    with scopes_disabled():
        Coupon.objects.filter(pk=coupons[0].pk).update(uses=2)
        Coupon.objects.filter(pk=coupons[1].pk).update(uses=1)
    return batch, [coupon.code for coupon in coupons]


def test_the_batch_page_counts_the_used_codes_and_filters_them(admin_client_, tenant, used_batch):
    batch, codes = used_batch
    page = url("coupon_batch", tenant, batch_id=batch.pk)

    everything = admin_client_.get(page)
    used = admin_client_.get(page, {"used": "yes"})
    unused = admin_client_.get(page, {"used": "no"})
    typed = admin_client_.get(page, {"code": codes[3][:6].lower()})

    usage = everything.context["usage"]
    assert (usage.codes, usage.used, usage.unused, usage.uses) == (5, 2, 3, 3)
    assert [coupon.code for coupon in used.context["codes"]] == codes[:2]
    assert [coupon.code for coupon in unused.context["codes"]] == codes[2:]
    typed_codes = [coupon.code for coupon in typed.context["codes"]]
    assert codes[3] in typed_codes
    assert all(code.startswith(codes[3][:6]) for code in typed_codes)


def test_the_batch_export_lists_every_code_with_its_uses(admin_client_, tenant, used_batch):
    batch, codes = used_batch

    response = admin_client_.get(url("batch_codes", tenant, batch_id=batch.pk))

    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert [row[0] for row in rows[1:]] == codes
    assert [row[1] for row in rows[1:]] == ["2", "1", "0", "0", "0"]


def test_the_batch_list_shows_codes_and_uses_of_each_batch(admin_client_, tenant, used_batch):
    response = admin_client_.get(url("coupon_batches", tenant))

    [batch] = list(response.context["batches"])
    assert (batch.codes, batch.used) == (5, 2)


# --- cashback rules -------------------------------------------------------------------------


def rule_data(**changes) -> dict:
    data = {
        "name": "Ayda 1.000 TL",
        "period": "month",
        "threshold": "1.000,00",
        "points": "100",
        "coupon_batch": "",
        "is_active": "on",
    }
    data.update(changes)
    return data


def test_a_cashback_rule_is_added_and_changed_with_an_audit_entry_each(admin_client_, tenant):
    with scope(tenant=tenant):
        batch = coupon_batch_create(
            tenant=tenant, actor=None, name="İndirim", discount_type="percent", value=10
        )

    response = admin_client_.post(url("cashback_rule_new", tenant), rule_data())

    assert response.status_code == 302
    with scopes_disabled():
        rule = CashbackRule.objects.get(tenant=tenant)
    assert (rule.threshold, rule.points, rule.period) == (Decimal("1000"), 100, "month")

    admin_client_.post(
        url("cashback_rule_edit", tenant, rule_id=rule.pk),
        rule_data(period="quarter", points="0", coupon_batch=str(batch.pk)),
    )

    rule.refresh_from_db()
    assert (rule.period, rule.points, rule.coupon_batch_id) == ("quarter", 0, batch.pk)
    with scopes_disabled():
        changed = AuditEntry.objects.get(tenant=tenant, action="loyalty.cashbackrule.changed")
    assert changed.data["before"]["threshold"] == "1000"
    assert changed.data["after"]["coupon_batch"] == "İndirim"


def test_a_rule_giving_nothing_is_a_field_error(admin_client_, tenant):
    response = admin_client_.post(url("cashback_rule_new", tenant), rule_data(points="0"))

    assert response.status_code == 200
    assert "Credit points, issue a coupon, or both." in response.content.decode()
    assert not CashbackRule.objects.with_scopes_disabled().filter(tenant=tenant).exists()


def test_another_tenants_batch_cannot_be_chosen(admin_client_, tenant, other_tenant):
    with scope(tenant=other_tenant):
        foreign = coupon_batch_create(
            tenant=other_tenant, actor=None, name="Yabancı", discount_type="amount", value=5
        )

    response = admin_client_.post(
        url("cashback_rule_new", tenant), rule_data(coupon_batch=str(foreign.pk))
    )

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert "Yabancı" not in response.content.decode()


def test_removing_a_rule_asks_first_then_removes_it(admin_client_, tenant):
    with scopes_disabled():
        rule = CashbackRule.objects.create(tenant=tenant, name="Çeyrek", threshold=500, points=5)
    remove = url("cashback_rule_remove", tenant, rule_id=rule.pk)

    assert "Remove the cashback rule “Çeyrek”?" in admin_client_.get(remove).content.decode()

    response = admin_client_.post(remove, {"request_key": "x"}, follow=True)

    assert "Cashback rule “Çeyrek” removed." in response.content.decode()
    assert not CashbackRule.objects.with_scopes_disabled().filter(pk=rule.pk).exists()
    assert actions(tenant) == ["loyalty.cashbackrule.deleted"]


def test_removing_a_rule_that_awarded_switches_it_off_and_keeps_its_awards(
    admin_client_, tenant, ayse
):
    with scopes_disabled():
        rule = CashbackRule.objects.create(tenant=tenant, name="Çeyrek", threshold=500, points=5)
        CashbackAward.objects.create(
            tenant=tenant, rule=rule, customer=ayse, period_start=date(2026, 7, 1), spent=600
        )

    response = admin_client_.post(
        url("cashback_rule_remove", tenant, rule_id=rule.pk), {"request_key": "x"}, follow=True
    )

    assert "switched off instead of removed" in response.content.decode()
    rule.refresh_from_db()
    assert not rule.is_active
    assert CashbackAward.objects.with_scopes_disabled().filter(rule=rule).count() == 1
    assert actions(tenant) == ["loyalty.cashbackrule.deactivated"]


def test_the_settings_page_links_the_admin_screens(admin_client_, tenant):
    body = admin_client_.get(url("settings", tenant)).content.decode()

    for name in ("rewards", "coupon_batches", "cashback_rules"):
        assert url(name, tenant) in body
