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


def test_name_sort_key_column_compares_bytewise(tenant_scope):
    # Whatever the database's default collation, the Turkish sort key must compare by bytes.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.collname FROM pg_attribute a JOIN pg_collation c ON c.oid = a.attcollation"
            " WHERE a.attrelid = 'customers_customer'::regclass AND a.attname = 'name_sort_key'"
        )
        assert cursor.fetchone() == ("C",)


def test_a_small_search_is_read_through_the_search_index(tenant, tenant_scope):
    from customers.selectors import customer_filterset

    CompanyCustomerFactory(tenant=tenant, company_name="Şişli Eczanesi")
    filterset = customer_filterset(tenant=tenant, params={"q": "sisli"})
    assert _names(filterset.qs) == ["Şişli Eczanesi"]
    assert filterset.search_plan == "narrow"
    # ordered by an expression of the sort key, which no index provides
    assert "ORDER BY (COALESCE" in str(filterset.qs.query)


def test_a_broad_search_gives_the_same_page(tenant, tenant_scope, monkeypatch):
    from customers import filters
    from customers.selectors import customer_list_page

    for name in ["Kaya Gıda", "Ali Kaya", "Kayalar Ltd.", "Başka"]:
        CompanyCustomerFactory(tenant=tenant, company_name=name)
    monkeypatch.setattr(filters, "NARROW_SEARCH_ROWS", -1)
    filterset, page = customer_list_page(tenant=tenant, params={"q": "kaya"})
    assert filterset.search_plan == "broad"
    assert _names(page.object_list) == ["Ali Kaya", "Kaya Gıda", "Kayalar Ltd."]


def test_a_broad_search_that_runs_out_of_time_falls_back_to_the_search_index(
    tenant, tenant_scope, monkeypatch
):
    from django.db import OperationalError
    from psycopg.errors import QueryCanceled

    from customers import filters, selectors

    for name in ["Kaya Gıda", "Ali Kaya", "Başka"]:
        CompanyCustomerFactory(tenant=tenant, company_name=name)
    monkeypatch.setattr(filters, "NARROW_SEARCH_ROWS", -1)

    def too_slow(queryset, *, page, page_size):
        error = OperationalError("canceling statement due to statement timeout")
        error.__cause__ = QueryCanceled()
        raise error

    monkeypatch.setattr(selectors, "_page_within_time", too_slow)
    _filterset, page = selectors.customer_list_page(tenant=tenant, params={"q": "kaya"})
    assert _names(page.object_list) == ["Ali Kaya", "Kaya Gıda"]


def test_the_time_limit_is_lifted_after_a_broad_search(tenant, tenant_scope, monkeypatch):
    from django.db import connection

    from customers import filters
    from customers.selectors import customer_list_page

    monkeypatch.setattr(filters, "NARROW_SEARCH_ROWS", -1)
    customer_list_page(tenant=tenant, params={"q": "kaya"})
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone() == ("0",)


def test_a_broad_search_reads_its_page_under_the_time_limit_and_walking_plans(
    tenant, tenant_scope, monkeypatch
):
    from django.db import connection

    from customers import filters, selectors

    monkeypatch.setattr(filters, "NARROW_SEARCH_ROWS", -1)
    seen = {}
    page_without_count = selectors.page_without_count

    def reading(queryset, **kwargs):
        with connection.cursor() as cursor:
            for name in ("statement_timeout", "enable_bitmapscan", "enable_seqscan"):
                cursor.execute(f"SHOW {name}")
                seen[name] = cursor.fetchone()[0]
        return page_without_count(queryset, **kwargs)

    monkeypatch.setattr(selectors, "page_without_count", reading)
    selectors.customer_list_page(tenant=tenant, params={"q": "kaya"})
    assert seen == {
        "statement_timeout": f"{selectors.BROAD_SEARCH_TIMEOUT_MS}ms",
        "enable_bitmapscan": "off",
        "enable_seqscan": "off",
    }
    with connection.cursor() as cursor:
        cursor.execute("SHOW enable_seqscan")
        assert cursor.fetchone() == ("on",)


def test_a_short_phone_prefix_walks_the_sort_index_and_a_long_one_the_search_index(
    tenant, tenant_scope
):
    from customers.selectors import customer_filterset

    CustomerFactory(tenant=tenant, first_name="Ali", last_name="Veli", phone="+905321234567")
    short = customer_filterset(tenant=tenant, params={"q": "0532"})
    full = customer_filterset(tenant=tenant, params={"q": "0532 123 45 67"})
    assert (_names(short.qs), short.search_plan) == (["Ali Veli"], "broad")
    assert (_names(full.qs), full.search_plan) == (["Ali Veli"], "narrow")


def test_a_narrow_search_counts_its_matches_in_the_page_query(
    tenant, tenant_scope, django_assert_num_queries
):
    from customers.selectors import customer_count, customer_list_page

    for name in ["Kaya Gıda", "Ali Kaya", "Kayalar Ltd.", "Başka", "Zeki Kaya"]:
        CompanyCustomerFactory(tenant=tenant, company_name=name)
    filterset, page = customer_list_page(tenant=tenant, params={"q": "kaya"}, page_size=2)
    assert filterset.search_plan == "narrow"
    assert _names(page.object_list) == ["Ali Kaya", "Kaya Gıda"]
    assert (page.total, page.has_next) == (4, True)
    with django_assert_num_queries(0):  # one read of the search index served both
        count = customer_count(filterset=filterset, page=page)
    assert (count.number, count.exact) == (4, True)


def test_a_narrow_search_page_past_the_last_match_is_counted_apart(tenant, tenant_scope):
    from customers.selectors import customer_count, customer_list_page

    for name in ["Kaya Gıda", "Ali Kaya", "Kayalar Ltd."]:
        CompanyCustomerFactory(tenant=tenant, company_name=name)
    filterset, page = customer_list_page(
        tenant=tenant, params={"q": "kaya", "page": "5"}, page_size=2
    )
    assert (page.object_list, page.total) == ([], None)
    count = customer_count(filterset=filterset, page=page)
    assert (count.number, count.exact) == (3, True)


def test_a_narrow_search_sorted_z_to_a_is_counted_too(tenant, tenant_scope):
    from customers.selectors import customer_list_page

    for name in ["Kaya Gıda", "Ali Kaya", "Kayalar Ltd."]:
        CompanyCustomerFactory(tenant=tenant, company_name=name)
    _filterset, by_name = customer_list_page(tenant=tenant, params={"q": "kaya", "sort": "-name"})
    assert _names(by_name.object_list) == ["Kayalar Ltd.", "Kaya Gıda", "Ali Kaya"]
    assert by_name.total == 3


def _estimates(monkeypatch, rows_by_word):
    """The planner's estimate per word (a query with every word: the fewest), whatever the
    test database's statistics say."""
    from customers import filters

    def estimate(queryset):
        sql = str(queryset.query)
        return min(rows for word, rows in rows_by_word.items() if f"'{word}':*" in sql)

    monkeypatch.setattr(filters, "planner_estimate", estimate)


def test_a_search_reads_the_index_for_its_rare_word_and_tests_a_common_prefix_on_its_rows(
    tenant, tenant_scope, monkeypatch
):
    from customers.selectors import customer_filterset

    names = [("Mehmet", "Özdemir"), ("Mehmet", "Kaya"), ("Ali", "Öztürk"), ("MEHMET", "ÖZ")]
    for first, last in names:
        CustomerFactory(tenant=tenant, first_name=first, last_name=last)
    _estimates(monkeypatch, {"mehmet": 4_500, "oz": 78_000})
    filterset = customer_filterset(tenant=tenant, params={"q": "mehmet öz"})
    assert _names(filterset.qs) == ["MEHMET ÖZ", "Mehmet Özdemir"]
    assert filterset.search_plan == "narrow"
    sql = str(filterset.qs.query)
    assert "@@ (to_tsquery(simple::regconfig, 'mehmet':*))" in sql  # the index: "mehmet" only
    assert "ts_match_vq" in sql


def test_a_search_of_comparable_words_reads_the_index_for_both(tenant, tenant_scope, monkeypatch):
    from customers.selectors import customer_filterset

    CustomerFactory(tenant=tenant, first_name="Ayşe", last_name="Yılmaz")
    _estimates(monkeypatch, {"ayse": 4_400, "yilmaz": 15_000})
    filterset = customer_filterset(tenant=tenant, params={"q": "AYŞE yılmaz"})
    assert _names(filterset.qs) == ["Ayşe Yılmaz"]
    assert "ts_match_vq" not in str(filterset.qs.query)
