"""The customer list's registry (customers/list_extensions.py) and what the list page does with it:
registered columns loaded once per page, filters and sorts applied in SQL, owners by name, the
total, and URLs without empty parameters."""

from __future__ import annotations

import django_filters
import pytest
from django.urls import reverse

from customers import list_extensions, selectors
from customers.list_extensions import ListColumn, ListFilter, ListSort
from tests.factories import CustomerFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def _url(tenant) -> str:
    return reverse("customers:list", kwargs={"tenant_slug": tenant.slug})


@pytest.fixture
def registry(monkeypatch):
    """An empty registry for the test, restored afterwards."""
    monkeypatch.setattr(list_extensions, "_columns", {})
    monkeypatch.setattr(list_extensions, "_filters", {})
    monkeypatch.setattr(list_extensions, "_sorts", {})
    return list_extensions


def _city_length(*, tenant, customer_ids):
    from customers.models import Customer

    rows = Customer.objects.filter(tenant=tenant, pk__in=customer_ids).values_list("pk", "city")
    return {pk: len(city) for pk, city in rows}


def _only_city(*, tenant):
    return django_filters.CharFilter(
        label="Only city", method=lambda queryset, name, value: queryset.filter(city=value)
    )


def test_a_registered_column_is_loaded_once_for_the_whole_page(
    registry, sales_client, tenant, django_assert_num_queries
):
    registry.register_list_column(
        ListColumn(
            key="city_length",
            label="City length",
            render=str,
            values=_city_length,
        )
    )
    CustomerFactory(tenant=tenant, first_name="Can", last_name="Ak", city="Van")
    CustomerFactory(tenant=tenant, first_name="Ece", last_name="Su", city="İstanbul")
    sales_client.get(_url(tenant))
    with django_assert_num_queries(6) as two:  # one page: it tells the total itself
        response = sales_client.get(_url(tenant))
    content = response.content.decode()
    assert "City length" in content
    assert '<td class="small">3</td>' in content and '<td class="small">8</td>' in content
    for _ in range(5):
        CustomerFactory(tenant=tenant)
    with django_assert_num_queries(len(two.captured_queries)):
        sales_client.get(_url(tenant))


def test_a_registered_filter_narrows_the_list_and_is_shown_in_the_filter_bar(
    registry, sales_client, tenant
):
    registry.register_list_filter(ListFilter(key="only_city", build=_only_city))
    CustomerFactory(tenant=tenant, first_name="Can", last_name="Ak", city="Van")
    CustomerFactory(tenant=tenant, first_name="Ece", last_name="Su", city="Muş")
    response = sales_client.get(_url(tenant), {"only_city": "Muş"})
    content = response.content.decode()
    assert 'name="only_city"' in content
    assert "Ece Su" in content and "Can Ak" not in content


def test_a_registered_sort_orders_the_list_and_is_offered(registry, tenant_scope):
    tenant = tenant_scope
    registry.register_list_sort(
        ListSort(
            key="-city",
            label="City (Z–A)",
            apply=lambda queryset, tenant: queryset.order_by("-city", "id"),
        )
    )
    for city in ("Adana", "Van", "Muş"):
        CustomerFactory(tenant=tenant, city=city)
    filterset, page = selectors.customer_list_page(tenant=tenant, params={"sort": "-city"})
    assert [c.city for c in page.object_list] == ["Van", "Muş", "Adana"]
    assert ("-city", "City (Z–A)") in filterset.form.fields["sort"].choices


def test_an_unknown_sort_falls_back_to_the_name_order(registry, tenant_scope):
    tenant = tenant_scope
    CustomerFactory(tenant=tenant, first_name="Zeki", last_name="Ak")
    CustomerFactory(tenant=tenant, first_name="Ali", last_name="Ak")
    _filters, page = selectors.customer_list_page(tenant=tenant, params={"sort": "-score"})
    assert [c.first_name for c in page.object_list] == ["Ali", "Zeki"]


def test_a_column_of_a_permission_the_role_lacks_is_not_shown(registry, sales_client, tenant):
    registry.register_list_column(
        ListColumn(
            key="secret",
            label="Manager only",
            render=str,
            values=_city_length,
            permission="dashboard.view",
        )
    )
    CustomerFactory(tenant=tenant)
    assert "Manager only" not in sales_client.get(_url(tenant)).content.decode()


def test_owner_filter_shows_members_by_name(sales_client, tenant):
    MembershipFactory(
        tenant=tenant, user__username="egunes", user__first_name="Elif", user__last_name="Güneş"
    )
    CustomerFactory(tenant=tenant)
    content = sales_client.get(_url(tenant)).content.decode()
    assert ">Elif Güneş</option>" in content
    assert ">egunes</option>" not in content


def test_the_total_is_exact_for_a_small_list(sales_client, tenant):
    for _ in range(3):
        CustomerFactory(tenant=tenant)
    content = sales_client.get(_url(tenant)).content.decode()
    assert "3 customers" in content and "about" not in content


def test_the_total_is_an_estimate_beyond_the_exact_limit(tenant_scope, monkeypatch):
    tenant = tenant_scope
    monkeypatch.setattr(selectors, "EXACT_COUNT_LIMIT", 2)
    for _ in range(5):
        CustomerFactory(tenant=tenant)
    filterset = selectors.customer_filterset(tenant=tenant, params={})
    count = selectors.customer_count(filterset=filterset)
    assert count.exact is False
    assert count.number >= 3  # at least what the bounded count saw


@pytest.mark.parametrize(
    ("number", "shown"),
    [(7, 7), (1_034_211, 1_000_000), (1_560_000, 1_600_000), (48_765, 49_000)],
)
def test_an_estimate_is_rounded_to_two_significant_digits(number, shown):
    assert selectors._rounded(number) == shown


def test_empty_parameters_are_dropped_from_the_url(sales_client, tenant):
    response = sales_client.get(_url(tenant) + "?q=&owner=&region=&sort=city&page=")
    assert response.status_code == 302
    assert response["Location"] == _url(tenant) + "?sort=city"


def test_an_htmx_request_with_empty_parameters_pushes_the_clean_url(sales_client, tenant):
    CustomerFactory(tenant=tenant)
    response = sales_client.get(_url(tenant) + "?q=&owner=", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response["HX-Push-Url"] == _url(tenant)


def test_the_about_total_is_written_with_turkish_digit_grouping(tenant, rf):
    from django.template.loader import render_to_string
    from django.utils import translation

    count = selectors.CustomerCount(number=1_000_000, exact=False)
    with translation.override("tr"):
        html = render_to_string("customers/_list_count.html", {"count": count})
    assert "1.000.000" in html
