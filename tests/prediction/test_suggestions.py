"""Next-best products on a hand-built basket fixture: support, confidence, lift, the reason,
nothing already bought, and the hit-rate measurement against the most-popular baseline."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from customers.models import TransactionStatus
from prediction.models import CopurchaseRule
from prediction.selectors import customer_suggestions
from prediction.services.suggestions import (
    customer_items,
    suggestion_hit_rate,
    suggestions_refresh,
)
from tests.factories import (
    CustomerFactory,
    ProductCategoryFactory,
    ProductFactory,
    TransactionFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(tenant):
    """10 customers. Çay (tea) is in every basket; 4 bought Simit, 3 of them also Peynir;
    2 more bought Peynir only. So, over the 10 customers who bought anything:
      Simit → Peynir: together 3, support 3/10, confidence 3/4 = 0.75,
                      Peynir's base rate 5/10, lift 0.75 / 0.5 = 1.5
      Peynir → Simit: confidence 3/5 = 0.6, Simit's base rate 4/10, lift 1.5
      Çay → anything: lift 1 (everybody has tea), never a rule."""
    products = {
        name: ProductFactory(tenant=tenant, name=name) for name in ("Çay", "Simit", "Peynir")
    }
    baskets = [
        ["Çay", "Simit", "Peynir"],
        ["Çay", "Simit", "Peynir"],
        ["Çay", "Simit", "Peynir"],
        ["Çay", "Simit"],
        ["Çay", "Peynir"],
        ["Çay", "Peynir"],
        ["Çay"],
        ["Çay"],
        ["Çay"],
        ["Çay"],
    ]
    customers = []
    when = timezone.now() - timedelta(days=40)
    for basket in baskets:
        customer = CustomerFactory(tenant=tenant)
        for name in basket:
            TransactionFactory(customer=customer, product=products[name], occurred_at=when)
        customers.append(customer)
    return products, customers


def suggestions_of(customer):
    with scopes_disabled():
        suggestions = customer_suggestions(tenant=customer.tenant, customer=customer)
    return [rule for rule in suggestions if rule.kind == "product"]


def test_simit_buyer_without_peynir_gets_peynir_with_the_reason(tenant, shop):
    products, customers = shop

    suggestions_refresh(tenant=tenant, min_customers=2)

    (suggestion,) = suggestions_of(customers[3])  # Çay + Simit
    assert suggestion.item == products["Peynir"]
    assert suggestion.because == products["Simit"]
    assert suggestion.support == pytest.approx(0.3)
    assert suggestion.confidence == pytest.approx(0.75)
    assert suggestion.lift == pytest.approx(1.5)


def test_peynir_buyer_without_simit_gets_simit(tenant, shop):
    products, customers = shop

    suggestions_refresh(tenant=tenant, min_customers=2)

    (suggestion,) = suggestions_of(customers[4])  # Çay + Peynir
    assert suggestion.item == products["Simit"]
    assert suggestion.confidence == pytest.approx(0.6)
    assert suggestion.lift == pytest.approx(1.5)


def test_nothing_already_bought_and_no_rule_from_an_item_everybody_has(tenant, shop):
    _products, customers = shop

    suggestions_refresh(tenant=tenant, min_customers=2)

    assert suggestions_of(customers[0]) == []  # has everything
    assert suggestions_of(customers[6]) == []  # only Çay: lift 1, no rule


def test_rules_seen_in_too_few_customers_are_ignored(tenant, shop):
    suggestions_refresh(tenant=tenant, min_customers=4)  # Simit + Peynir together: only 3

    with scopes_disabled():
        assert not CopurchaseRule.objects.filter(tenant=tenant, kind="product").exists()


def test_hit_rate_counts_holdout_buyers_of_a_suggested_product(tenant, shop):
    products, customers = shop
    holdout = timezone.now() - timedelta(days=10)
    # Holdout month: the Çay + Simit customer buys Peynir (suggested: a hit; the baseline's
    # most popular product not owned is Peynir too), the Çay-only customer buys Simit
    # (no suggestion: a miss for the model; the baseline offers Peynir and Simit: a hit).
    TransactionFactory(customer=customers[3], product=products["Peynir"], occurred_at=holdout)
    TransactionFactory(customer=customers[6], product=products["Simit"], occurred_at=holdout)
    cutoff = (timezone.now() - timedelta(days=20)).date()

    result = suggestion_hit_rate(tenant=tenant, cutoff=cutoff, days=30, min_customers=2)

    assert (result.buyers, result.model_hits, result.baseline_hits) == (2, 1, 2)
    assert result.with_suggestions == 1
    assert result.model == pytest.approx(0.5)
    with scopes_disabled():  # a measurement: nothing written
        assert not CopurchaseRule.objects.filter(tenant=tenant).exists()


def test_categories_get_their_own_rules(tenant, shop):
    products, customers = shop

    suggestions_refresh(tenant=tenant, min_customers=2)

    with scopes_disabled():
        suggestions = customer_suggestions(tenant=tenant, customer=customers[3])
    categories = [rule for rule in suggestions if rule.kind == "category"]
    assert [rule.item for rule in categories] == [products["Peynir"].category]
    assert categories[0].because == products["Simit"].category


def test_customer_items_are_each_customers_distinct_products_and_categories(tenant):
    # The sale's own category counts, else its product's; a product bought twice, or under
    # two categories, is one product; a category of two products is one category.
    drinks, food = (ProductCategoryFactory(tenant=tenant, name=n) for n in ("İçecek", "Yiyecek"))
    tea = ProductFactory(tenant=tenant, name="Çay", category=drinks)
    coffee = ProductFactory(tenant=tenant, name="Kahve", category=drinks)
    customer, other = CustomerFactory(tenant=tenant), CustomerFactory(tenant=tenant)
    when = timezone.now() - timedelta(days=5)
    TransactionFactory(customer=customer, product=tea, occurred_at=when)
    TransactionFactory(customer=customer, product=tea, occurred_at=when)
    TransactionFactory(customer=customer, product=tea, category=food, occurred_at=when)
    TransactionFactory(customer=customer, product=coffee, occurred_at=when)
    TransactionFactory(customer=other, category=food, occurred_at=when)
    TransactionFactory(customer=other, occurred_at=when)  # neither: no item
    TransactionFactory(  # not completed: not bought
        customer=other, product=coffee, status=TransactionStatus.REFUNDED, occurred_at=when
    )

    with scopes_disabled():
        items = customer_items(tenant=tenant, until=timezone.now())

    assert sorted(items.itertuples(index=False, name=None)) == sorted(
        [
            (customer.pk, 0, tea.pk),
            (customer.pk, 0, coffee.pk),
            (customer.pk, 1, drinks.pk),
            (customer.pk, 1, food.pk),
            (other.pk, 1, food.pk),
        ]
    )
