"""The stored next best items (CustomerNextBest, written with the nightly rules): the same top 3
as the customer page's selector, the cross-sell audience, and the segment criterion."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from customers.models import Transaction
from prediction.models import CopurchaseRule, CustomerNextBest
from prediction.selectors import customer_suggestions, next_best_customers
from prediction.services.suggestions import suggestions_refresh
from segmentation.models import Segment
from tests.factories import CustomerFactory, ProductCategoryFactory, ProductFactory
from tests.prediction.test_suggestions import shop  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db


def stored(tenant) -> dict[int, CustomerNextBest]:
    with scopes_disabled():
        return {row.customer_id: row for row in CustomerNextBest.objects.filter(tenant=tenant)}


def test_the_simit_buyer_without_peynir_has_peynir_stored_with_its_rule(tenant, shop):  # noqa: F811
    products, customers = shop

    suggestions_refresh(tenant=tenant, min_customers=2)

    rows = stored(tenant)
    with scopes_disabled():
        rule = CopurchaseRule.objects.get(
            tenant=tenant,
            antecedent_product=products["Simit"],
            consequent_product=products["Peynir"],
        )
    assert rows[customers[3].pk].products == [products["Peynir"].pk]
    assert rows[customers[3].pk].product_rules == [rule.pk]
    assert rows[customers[4].pk].products == [products["Simit"].pk]
    assert customers[6].pk not in rows  # only Çay: nothing to suggest
    assert rows.get(customers[0].pk) is None or rows[customers[0].pk].products == []


def test_the_cross_sell_audience_is_who_has_the_product_among_their_next_best(tenant, shop):  # noqa: F811
    products, customers = shop
    suggestions_refresh(tenant=tenant, min_customers=2)

    with scope(tenant=tenant):
        audience = set(
            next_best_customers(tenant=tenant, product_id=products["Peynir"].pk).values_list(
                "pk", flat=True
            )
        )

    assert audience == {customers[3].pk}


def test_a_second_night_replaces_the_stored_items(tenant, shop):  # noqa: F811
    products, customers = shop
    suggestions_refresh(tenant=tenant, min_customers=2)
    with scopes_disabled():
        Transaction.objects.create(
            tenant=tenant,
            customer=customers[3],
            product=products["Peynir"],
            occurred_at=timezone.now() - timedelta(days=1),
            amount=10,
        )

    suggestions_refresh(tenant=tenant, min_customers=2)

    row = stored(tenant).get(customers[3].pk)
    assert row is None or products["Peynir"].pk not in row.products


def test_stored_top_three_equal_the_customer_pages_for_every_customer(tenant):
    # 60 customers, random baskets over 7 products in 3 categories: many rules and ties.
    rng = random.Random(11)
    categories = [ProductCategoryFactory(tenant=tenant) for _ in range(3)]
    products = [ProductFactory(tenant=tenant, category=categories[i % 3]) for i in range(7)]
    when = timezone.now() - timedelta(days=20)
    customers = [CustomerFactory(tenant=tenant) for _ in range(60)]
    with scopes_disabled():
        Transaction.objects.bulk_create(
            Transaction(
                tenant=tenant, customer=customer, product=product, occurred_at=when, amount=10
            )
            for customer in customers
            for product in rng.sample(products, rng.randint(1, 4))
        )

    suggestions_refresh(tenant=tenant, min_customers=2)

    rows = stored(tenant)
    with scopes_disabled():
        assert CopurchaseRule.objects.filter(tenant=tenant).count() > 10
        for customer in customers:
            page = customer_suggestions(tenant=tenant, customer=customer)
            row = rows.get(customer.pk)
            for kind, items, rules in (
                ("product", "products", "product_rules"),
                ("category", "categories", "category_rules"),
            ):
                expected = [rule for rule in page if rule.kind == kind]
                assert (getattr(row, items) if row else []) == [
                    rule.item.pk for rule in expected
                ], (customer.pk, kind)
                assert (getattr(row, rules) if row else []) == [rule.pk for rule in expected]


def test_next_best_product_is_a_segment_criterion(manager_client, tenant, shop):  # noqa: F811
    products, _customers = shop
    suggestions_refresh(tenant=tenant, min_customers=2)
    url = reverse("segmentation:segment_create", kwargs={"tenant_slug": tenant.slug})

    response = manager_client.post(
        url,
        {
            "name": "Peynir önerilecekler",
            "strategy_type": "grow",
            "next_best__product": products["Peynir"].pk,
        },
    )

    assert response.status_code == 302
    with scopes_disabled():
        segment = Segment.objects.get(tenant=tenant, name="Peynir önerilecekler")
    assert segment.extra_criteria == {"next_best": {"product": products["Peynir"].pk}}
    page = manager_client.get(
        reverse(
            "segmentation:segment", kwargs={"tenant_slug": tenant.slug, "segment_id": segment.pk}
        )
    )
    assert page.context["figures"].customers == 1
    assert "Next best product is Peynir" in page.content.decode()


def test_another_companys_product_is_not_a_choice(manager_client, tenant, other_tenant, shop):  # noqa: F811
    foreign = ProductFactory(tenant=other_tenant)
    url = reverse("segmentation:segment_create", kwargs={"tenant_slug": tenant.slug})

    response = manager_client.post(
        url, {"name": "Yabancı", "strategy_type": "keep", "next_best__product": foreign.pk}
    )

    assert response.status_code == 200
    assert "next_best__product" in response.context["form"].errors
