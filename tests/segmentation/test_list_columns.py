"""What segmentation adds to the customer list: tier badge and score columns, the tier filter and
the sort by score (registered through customers/list_extensions.py)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from segmentation.services import scores_recompute
from tests.segmentation.factories import buy, customer, use_keys, use_tiers

pytestmark = pytest.mark.django_db


def _url(tenant) -> str:
    return reverse("customers:list", kwargs={"tenant_slug": tenant.slug})


@pytest.fixture
def scored(tenant):
    """Three buyers scored by revenue (min–max): 100 → 0, 200 → 50, 300 → 100; tiers 1/3 each."""
    use_keys(tenant, ("revenue", 1, "min_max"))
    top, middle, base = use_tiers(tenant, "33.34", "33.33", "33.33")
    low = customer(tenant, first_name="Ali", last_name="Düşük")
    mid = customer(tenant, first_name="Bora", last_name="Orta")
    high = customer(tenant, first_name="Cem", last_name="Yüksek")
    prospect = customer(tenant, first_name="Deniz", last_name="Aday")
    buy(low, 100, days_ago=5)
    buy(mid, 200, days_ago=5)
    buy(high, 300, days_ago=5)
    scores_recompute(tenant=tenant, now=timezone.now())
    return {"tiers": (top, middle, base), "customers": (low, mid, high, prospect)}


def _names_in_order(content: str, names: list[str]) -> list[str]:
    return sorted(names, key=content.index)


def test_the_list_shows_each_customers_tier_and_score(sales_client, tenant, scored):
    content = sales_client.get(_url(tenant)).content.decode()
    assert "Level 1" in content and "Level 3" in content
    assert "100.0" in content and "50.0" in content and "0.0" in content


def test_sort_by_score_puts_the_highest_first_and_the_unscored_last(sales_client, tenant, scored):
    content = sales_client.get(_url(tenant), {"sort": "-score"}).content.decode()
    table = content[content.index("<tbody>") :]
    names = ["Ali Düşük", "Bora Orta", "Cem Yüksek", "Deniz Aday"]
    assert _names_in_order(table, names) == ["Cem Yüksek", "Bora Orta", "Ali Düşük", "Deniz Aday"]


def test_the_tier_filter_keeps_the_customers_of_the_chosen_tiers(sales_client, tenant, scored):
    top, middle, _base = scored["tiers"]
    response = sales_client.get(_url(tenant), {"tier": [top.pk, middle.pk]})
    content = response.content.decode()
    assert "Cem Yüksek" in content and "Bora Orta" in content
    assert "Ali Düşük" not in content and "Deniz Aday" not in content
    assert "2 customers" in content


def test_the_tier_filter_offers_only_the_tenants_tiers(sales_client, tenant, other_tenant, scored):
    use_tiers(other_tenant, 100)  # named "Level 1" too, but another tenant's
    content = sales_client.get(_url(tenant)).content.decode()
    assert content.count('name="tier"') == 3


def test_an_unknown_tier_is_a_form_error_not_a_500(sales_client, tenant, scored):
    response = sales_client.get(_url(tenant), {"tier": "999999"})
    assert response.status_code == 200


def test_sort_by_score_orders_within_and_across_whole_number_bands(sales_client, tenant, scored):
    from decimal import Decimal

    from django_scopes import scopes_disabled

    from segmentation.models import CustomerScore

    low, mid, high, prospect = scored["customers"]
    wanted = {low: "55.10", mid: "55.90", high: "54.99", prospect: "56.00"}
    with scopes_disabled():
        for who, score in wanted.items():
            CustomerScore.objects.filter(customer=who).update(score=Decimal(score))
        bands = dict(CustomerScore.objects.values_list("customer_id", "score_band"))
    assert [bands[who.pk] for who in (low, mid, high, prospect)] == [55, 55, 54, 56]

    content = sales_client.get(_url(tenant), {"sort": "-score"}).content.decode()

    table = content[content.index("<tbody>") :]
    names = ["Ali Düşük", "Bora Orta", "Cem Yüksek", "Deniz Aday"]
    assert _names_in_order(table, names) == ["Deniz Aday", "Bora Orta", "Ali Düşük", "Cem Yüksek"]
