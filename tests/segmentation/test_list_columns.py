"""What segmentation adds to the customer list: tier badge and score columns, the tier filter and
the sort by score (registered through customers/list_extensions.py)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from customers.models import Customer
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


@pytest.fixture
def two_in_the_top_tier(tenant):
    """Four buyers by revenue, tiers of half each: Zafer and Ayla on top, Can and Burak below."""
    use_keys(tenant, ("revenue", 1, "min_max"))
    top, base = use_tiers(tenant, "50", "50")
    people = {
        "zafer": customer(tenant, first_name="Zafer", last_name="Kaya"),
        "ayla": customer(tenant, first_name="Ayla", last_name="Demir"),
        "can": customer(tenant, first_name="Can", last_name="Öz"),
        "burak": customer(tenant, first_name="Burak", last_name="Şen"),
    }
    for amount, who in zip((400, 300, 200, 100), people.values(), strict=True):
        buy(who, amount, days_ago=5)
    scores_recompute(tenant=tenant, now=timezone.now())
    return {"top": top, "base": base, **people}


def _table_order(response, names: list[str]) -> list[str]:
    content = response.content.decode()
    return _names_in_order(content[content.index("<tbody>") :], names)


def test_one_tier_sorted_by_name_lists_its_customers_in_name_order(
    sales_client, tenant, two_in_the_top_tier
):
    top = two_in_the_top_tier["top"]
    names = ["Zafer Kaya", "Ayla Demir"]
    ascending = sales_client.get(_url(tenant), {"tier": top.pk})
    descending = sales_client.get(_url(tenant), {"tier": top.pk, "sort": "-name"})
    assert _table_order(ascending, names) == ["Ayla Demir", "Zafer Kaya"]
    assert _table_order(descending, names) == ["Zafer Kaya", "Ayla Demir"]
    assert "Can Öz" not in ascending.content.decode()
    assert "2 customers" in ascending.content.decode()


def test_one_tier_sorted_by_name_follows_a_rename_before_the_next_recompute(
    sales_client, tenant, two_in_the_top_tier
):
    top, zafer = two_in_the_top_tier["top"], two_in_the_top_tier["zafer"]
    with scopes_disabled():
        zafer.first_name = "Ahmet"
        zafer.save()
    response = sales_client.get(_url(tenant), {"tier": top.pk})
    assert _table_order(response, ["Ahmet Kaya", "Ayla Demir"]) == ["Ahmet Kaya", "Ayla Demir"]


def test_the_score_row_keeps_the_customers_name_key(tenant, two_in_the_top_tier):
    """Copied by the recompute, followed on a rename (a company's name too), filled on any
    other insert (here a test's own score row)."""
    from segmentation.models import CustomerScore, ScoreStatus

    ayla, burak = two_in_the_top_tier["ayla"], two_in_the_top_tier["burak"]
    newcomer = customer(tenant, kind="company", company_name="Çınar Ltd.")
    with scopes_disabled():
        burak.kind, burak.company_name = "company", "İnci A.Ş."
        burak.save()
        run = CustomerScore.objects.get(customer=ayla).run
        CustomerScore.objects.create(
            tenant=tenant, customer=newcomer, run=run, status=ScoreStatus.PROSPECT
        )
        copies = dict(CustomerScore.objects.values_list("customer_id", "name_sort_key"))
        keys = dict(Customer.objects.values_list("id", "name_sort_key"))
    assert len(copies) == 5
    assert all(copies[customer_id] == keys[customer_id] for customer_id in copies)


def test_several_tiers_sorted_by_name_keep_the_customers_name_order(
    sales_client, tenant, two_in_the_top_tier
):
    top, base = two_in_the_top_tier["top"], two_in_the_top_tier["base"]
    response = sales_client.get(_url(tenant), {"tier": [top.pk, base.pk]})
    names = ["Zafer Kaya", "Ayla Demir", "Can Öz", "Burak Şen"]
    assert _table_order(response, names) == ["Ayla Demir", "Burak Şen", "Can Öz", "Zafer Kaya"]
