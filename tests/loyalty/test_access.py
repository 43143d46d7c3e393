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

    reward = RewardFactory(tenant=tenant, points_cost=10)
    with scope(tenant=tenant):
        points_earn(tenant=tenant, transaction_ids=[buy(ayse, 50).pk])
        batch = coupon_batch_create(
            tenant=tenant, actor=None, name="Kart", discount_type="amount", value=5, size=3
        )
    return {"customer": ayse, "reward": reward, "batch": batch}


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
    }


NAMES = [
    "overview", "statement", "statement_csv", "redeem", "coupon", "adjust", "membership",
    "batch_codes",
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
