"""Turkish-correct search, filters and sorting of the customer list."""

import pytest

from customers.search import customer_search_tsquery
from customers.selectors import customer_list
from customers.turkish import fold, sort_key
from tests.factories import CompanyCustomerFactory, CustomerFactory


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("istanbul", "İstanbul"), ("ISTANBUL", "İstanbul"), ("ışık", "IŞIK"), ("sisli", "Şişli")],
)
def test_folding_makes_turkish_spellings_equal(typed, stored):
    assert fold(typed) == fold(stored)


def test_c_cedilla_sorts_after_c_and_dotted_i_after_dotless():
    names = ["Çelik", "Ihlamur", "Cem", "İnci", "Dursun", "Hakan"]
    assert sorted(names, key=sort_key) == ["Cem", "Çelik", "Dursun", "Hakan", "Ihlamur", "İnci"]


def test_tsquery_syntax_in_the_query_is_never_an_operator():
    assert customer_search_tsquery("o'brien & (x|y):*") == "'o':* & 'brien':* & 'x':* & 'y':*"


def test_phone_query_matches_e164_and_national_forms():
    assert customer_search_tsquery("0532 123 45 67") == "'+905321234567':* | '05321234567':*"


def test_empty_query_searches_nothing():
    assert customer_search_tsquery("  &| ") == ""


def _names(queryset):
    return [customer.display_name for customer in queryset]


@pytest.mark.parametrize("typed", ["istanbul", "İSTANBUL", "ıstanbul"])
def test_search_finds_dotted_capital_i_typed_any_way(tenant, tenant_scope, typed):
    CompanyCustomerFactory(tenant=tenant, company_name="İstanbul Kırtasiye")
    CompanyCustomerFactory(tenant=tenant, company_name="Ankara Kırtasiye")
    assert _names(customer_list(tenant=tenant, params={"q": typed})) == ["İstanbul Kırtasiye"]


def test_search_sisli_finds_sisli_with_cedillas(tenant, tenant_scope):
    CustomerFactory(tenant=tenant, first_name="Şişli", last_name="Eczanesi")
    assert _names(customer_list(tenant=tenant, params={"q": "sisli ecz"})) == ["Şişli Eczanesi"]


def test_search_capital_isik_finds_lower_case_isik(tenant, tenant_scope):
    CustomerFactory(tenant=tenant, first_name="Ayşe", last_name="ışık")
    assert _names(customer_list(tenant=tenant, params={"q": "IŞIK"})) == ["Ayşe ışık"]


def test_search_by_phone_in_national_form(tenant, tenant_scope):
    CustomerFactory(tenant=tenant, first_name="Ali", last_name="Veli", phone="+905321234567")
    CustomerFactory(tenant=tenant, first_name="Can", last_name="Ak", phone="+905551112233")
    assert _names(customer_list(tenant=tenant, params={"q": "0532 123"})) == ["Ali Veli"]


def test_search_by_tax_number(tenant, tenant_scope):
    CompanyCustomerFactory(tenant=tenant, company_name="Vergi A.Ş.", tax_number="1234567890")
    assert _names(customer_list(tenant=tenant, params={"q": "123456"})) == ["Vergi A.Ş."]


def test_search_does_not_find_other_tenants_customers(tenant, other_tenant, tenant_scope):
    CompanyCustomerFactory(tenant=other_tenant, company_name="İstanbul Kırtasiye")
    assert _names(customer_list(tenant=tenant, params={"q": "istanbul"})) == []


def test_default_sort_is_turkish_alphabetical(tenant, tenant_scope):
    for name in ["Çelik", "Cem", "İnci", "Ihlamur"]:
        CompanyCustomerFactory(tenant=tenant, company_name=name)
    assert _names(customer_list(tenant=tenant)) == ["Cem", "Çelik", "Ihlamur", "İnci"]


def test_archived_customers_are_hidden_unless_asked_for(tenant, tenant_scope):
    from django.utils import timezone

    CompanyCustomerFactory(tenant=tenant, company_name="Eski", archived_at=timezone.now())
    CompanyCustomerFactory(tenant=tenant, company_name="Yeni")
    assert _names(customer_list(tenant=tenant, params={})) == ["Yeni"]
    assert _names(customer_list(tenant=tenant, params={"archived": "archived"})) == ["Eski"]
    assert _names(customer_list(tenant=tenant, params={"archived": "all"})) == ["Eski", "Yeni"]


def test_city_filter_accepts_the_province_typed_lower_case(tenant, tenant_scope):
    CompanyCustomerFactory(tenant=tenant, company_name="Ege Ltd.", city="İzmir")
    CompanyCustomerFactory(tenant=tenant, company_name="Marmara Ltd.", city="İstanbul")
    assert _names(customer_list(tenant=tenant, params={"city": "izmir"})) == ["Ege Ltd."]


def test_tag_and_consent_filters(tenant, tenant_scope):
    CompanyCustomerFactory(tenant=tenant, company_name="A", tags=["vip"], consent_email=True)
    CompanyCustomerFactory(tenant=tenant, company_name="B", tags=["vip"], consent_email=False)
    CompanyCustomerFactory(tenant=tenant, company_name="C", tags=[], consent_email=True)
    params = {"tag": "vip", "consent_email": "true"}
    assert _names(customer_list(tenant=tenant, params=params)) == ["A"]


def test_sort_newest_first(tenant, tenant_scope):
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    CompanyCustomerFactory(tenant=tenant, company_name="Old", created_at=now - timedelta(days=2))
    CompanyCustomerFactory(tenant=tenant, company_name="New", created_at=now)
    assert _names(customer_list(tenant=tenant, params={"sort": "newest"})) == ["New", "Old"]
