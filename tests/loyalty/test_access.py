"""Every loyalty URL and admin page: 404 for another tenant's member and an outsider, 403 for
the wrong role in the own tenant, 200 for the right role."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from loyalty.models import CouponBatch
from loyalty.services.coupons import coupon_batch_create
from loyalty.services.ledger import points_earn
from tests.loyalty.factories import RewardFactory, buy

pytestmark = pytest.mark.usefixtures("programme")


@pytest.fixture
def setting(tenant, ayse):
    """A member with points, a reward and a coupon batch, the URLs' objects."""
    from django_scopes import scope

    from loyalty.models import BonusRule, CashbackRule

    reward = RewardFactory(tenant=tenant, points_cost=10)
    rule = BonusRule.objects.with_scopes_disabled().create(
        tenant=tenant, name="Kitap haftası", multiplier=2
    )
    cashback = CashbackRule.objects.with_scopes_disabled().create(
        tenant=tenant, name="Ayda 1000", threshold=1000, points=50
    )
    with scope(tenant=tenant):
        points_earn(tenant=tenant, transaction_ids=[buy(ayse, 50).pk])
        batch = coupon_batch_create(
            tenant=tenant, actor=None, name="Kart", discount_type="amount", value=5, size=3
        )
    return {
        "customer": ayse,
        "reward": reward,
        "batch": batch,
        "rule": rule,
        "cashback": cashback,
    }


def _urls(tenant, setting) -> dict[str, tuple[str, str]]:
    """name -> (url, least role)"""
    slug = tenant.slug
    customer_id = setting["customer"].pk

    def url(name, **kwargs):
        return reverse(f"loyalty:{name}", kwargs={"tenant_slug": slug, **kwargs})

    return {
        "overview": (url("overview"), "manager"),
        "statement": (url("statement", customer_id=customer_id), "sales"),
        "statement_csv": (url("statement_csv", customer_id=customer_id), "manager"),
        "redeem": (
            url("redeem", customer_id=customer_id, reward_id=setting["reward"].pk),
            "sales",
        ),
        "coupon": (url("coupon", customer_id=customer_id), "sales"),
        "adjust": (url("adjust", customer_id=customer_id), "manager"),
        "membership": (url("membership", customer_id=customer_id), "manager"),
        "batch_codes": (url("batch_codes", batch_id=setting["batch"].pk), "manager"),
        "settings": (url("settings"), "admin"),
        "bonus_rule_new": (url("bonus_rule_new"), "admin"),
        "bonus_rule_edit": (url("bonus_rule_edit", rule_id=setting["rule"].pk), "admin"),
        "bonus_rule_remove": (url("bonus_rule_remove", rule_id=setting["rule"].pk), "admin"),
        "rewards": (url("rewards"), "admin"),
        "reward_new": (url("reward_new"), "admin"),
        "reward_edit": (url("reward_edit", reward_id=setting["reward"].pk), "admin"),
        "reward_deactivate": (url("reward_deactivate", reward_id=setting["reward"].pk), "admin"),
        "coupon_batches": (url("coupon_batches"), "admin"),
        "coupon_batch_new": (url("coupon_batch_new"), "admin"),
        "coupon_batch": (url("coupon_batch", batch_id=setting["batch"].pk), "admin"),
        "cashback_rules": (url("cashback_rules"), "admin"),
        "cashback_rule_new": (url("cashback_rule_new"), "admin"),
        "cashback_rule_edit": (url("cashback_rule_edit", rule_id=setting["cashback"].pk), "admin"),
        "cashback_rule_remove": (
            url("cashback_rule_remove", rule_id=setting["cashback"].pk),
            "admin",
        ),
    }


NAMES = [
    "overview", "statement", "statement_csv", "redeem", "coupon", "adjust", "membership",
    "batch_codes", "settings", "bonus_rule_new", "bonus_rule_edit", "bonus_rule_remove",
    "rewards", "reward_new", "reward_edit", "reward_deactivate", "coupon_batches",
    "coupon_batch_new", "coupon_batch", "cashback_rules", "cashback_rule_new",
    "cashback_rule_edit", "cashback_rule_remove",
]  # fmt: skip


@pytest.mark.parametrize("name", NAMES)
def test_member_of_another_tenant_gets_404(other_tenant_client, tenant, setting, name):
    url, _role = _urls(tenant, setting)[name]
    assert other_tenant_client.get(url).status_code == 404


@pytest.mark.parametrize("name", NAMES)
def test_outsider_gets_404(outsider_client, tenant, setting, name):
    url, _role = _urls(tenant, setting)[name]
    assert outsider_client.get(url).status_code == 404


@pytest.mark.parametrize("name", NAMES)
def test_each_role_gets_exactly_its_pages(
    sales_client, manager_client, admin_client_, tenant, setting, name
):
    url, least = _urls(tenant, setting)[name]
    expected = {
        "sales": {"sales": 200, "manager": 200, "admin": 200},
        "manager": {"sales": 403, "manager": 200, "admin": 200},
        "admin": {"sales": 403, "manager": 403, "admin": 200},
    }[least]
    clients = {"sales": sales_client, "manager": manager_client, "admin": admin_client_}
    assert {role: client.get(url).status_code for role, client in clients.items()} == expected


def test_another_tenants_objects_are_404_inside_the_own_tenant(
    admin_client_, tenant, other_tenant, setting
):
    from django_scopes import scope

    from tests.factories import CustomerFactory

    stranger = CustomerFactory(tenant=other_tenant)
    with scope(tenant=other_tenant):
        batch = coupon_batch_create(
            tenant=other_tenant, actor=None, name="X", discount_type="amount", value=5
        )
    slug = tenant.slug
    for url in (
        reverse("loyalty:statement", kwargs={"tenant_slug": slug, "customer_id": stranger.pk}),
        reverse("loyalty:batch_codes", kwargs={"tenant_slug": slug, "batch_id": batch.pk}),
        reverse("loyalty:coupon_batch", kwargs={"tenant_slug": slug, "batch_id": batch.pk}),
        reverse(
            "loyalty:reward_edit",
            kwargs={"tenant_slug": slug, "reward_id": RewardFactory(tenant=other_tenant).pk},
        ),
        reverse(
            "loyalty:reward_deactivate",
            kwargs={"tenant_slug": slug, "reward_id": RewardFactory(tenant=other_tenant).pk},
        ),
        reverse(
            "loyalty:cashback_rule_edit",
            kwargs={"tenant_slug": slug, "rule_id": _foreign_cashback_rule(other_tenant).pk},
        ),
        reverse(
            "loyalty:cashback_rule_remove",
            kwargs={"tenant_slug": slug, "rule_id": _foreign_cashback_rule(other_tenant).pk},
        ),
        reverse(
            "loyalty:bonus_rule_edit",
            kwargs={"tenant_slug": slug, "rule_id": _foreign_rule(other_tenant).pk},
        ),
        reverse(
            "loyalty:bonus_rule_remove",
            kwargs={"tenant_slug": slug, "rule_id": _foreign_rule(other_tenant).pk},
        ),
        reverse(
            "loyalty:redeem",
            kwargs={
                "tenant_slug": slug,
                "customer_id": setting["customer"].pk,
                "reward_id": RewardFactory(tenant=other_tenant).pk,
            },
        ),
    ):
        assert admin_client_.get(url).status_code == 404


def _foreign_rule(other_tenant):
    from loyalty.models import BonusRule

    return BonusRule.objects.with_scopes_disabled().create(
        tenant=other_tenant, name="Yabancı", multiplier=2
    )


def _foreign_cashback_rule(other_tenant):
    from loyalty.models import CashbackRule

    return CashbackRule.objects.with_scopes_disabled().create(
        tenant=other_tenant, name="Yabancı", threshold=10, points=5
    )


def test_posts_to_the_settings_are_403_for_a_manager_and_change_nothing(
    manager_client, tenant, setting
):
    from loyalty.models import BonusRule, CashbackRule

    slug, rule = tenant.slug, setting["rule"]
    for name, kwargs in (
        ("settings", {}),
        ("bonus_rule_new", {}),
        ("bonus_rule_edit", {"rule_id": rule.pk}),
        ("bonus_rule_remove", {"rule_id": rule.pk}),
        ("reward_new", {}),
        ("reward_edit", {"reward_id": setting["reward"].pk}),
        ("reward_deactivate", {"reward_id": setting["reward"].pk}),
        ("coupon_batch_new", {}),
        ("cashback_rule_new", {}),
        ("cashback_rule_edit", {"rule_id": setting["cashback"].pk}),
        ("cashback_rule_remove", {"rule_id": setting["cashback"].pk}),
    ):
        url = reverse(f"loyalty:{name}", kwargs={"tenant_slug": slug, **kwargs})
        assert manager_client.post(url, {"name": "X", "request_key": "k"}).status_code == 403
    assert BonusRule.objects.with_scopes_disabled().filter(tenant=tenant).count() == 1
    rule.refresh_from_db()
    assert rule.name == "Kitap haftası"
    setting["reward"].refresh_from_db()
    assert setting["reward"].is_active
    with scopes_disabled():
        assert CouponBatch.objects.filter(tenant=tenant).count() == 1
    assert CashbackRule.objects.with_scopes_disabled().filter(tenant=tenant).count() == 1


def test_another_tenants_admin_cannot_remove_a_rule(other_tenant_client, tenant, setting):
    from loyalty.models import BonusRule

    url = reverse(
        "loyalty:bonus_rule_remove",
        kwargs={"tenant_slug": tenant.slug, "rule_id": setting["rule"].pk},
    )

    assert other_tenant_client.post(url, {"request_key": "k"}).status_code == 404
    assert BonusRule.objects.with_scopes_disabled().filter(pk=setting["rule"].pk).exists()


ADMIN_MODELS = [
    "programme", "tiermultiplier", "bonusrule", "reward", "couponbatch", "cashbackrule",
    "member", "pointsentry", "coupon", "rewardredemption", "couponuse", "cashbackaward",
]  # fmt: skip


@pytest.mark.parametrize("model", ADMIN_MODELS)
def test_admin_pages_are_for_tenant_admins_only(admin_client_, manager_client, tenant, model):
    url = reverse(f"admin:loyalty_{model}_changelist")

    assert admin_client_.get(url).status_code == 200
    assert manager_client.get(url).status_code in (302, 403)


def test_admin_lists_only_its_own_tenants_batches(admin_client_, tenant, other_tenant, setting):
    from django_scopes import scope

    with scope(tenant=other_tenant):
        coupon_batch_create(
            tenant=other_tenant, actor=None, name="Yabancı parti", discount_type="amount", value=5
        )

    body = admin_client_.get(reverse("admin:loyalty_couponbatch_changelist")).content.decode()

    assert "Kart" in body
    assert "Yabancı parti" not in body


def test_admin_creates_a_scratch_card_batch_through_the_service(admin_client_, tenant):
    response = admin_client_.post(
        reverse("admin:loyalty_couponbatch_add"),
        {
            "name": "Yılbaşı kartları",
            "discount_type": "percent",
            "value": "10",
            "min_spend": "0",
            "max_uses": "1",
            "size": "500",
        },
    )

    assert response.status_code == 302
    with scopes_disabled():
        batch = CouponBatch.objects.get(tenant=tenant, name="Yılbaşı kartları")
        assert batch.coupons.count() == 500
