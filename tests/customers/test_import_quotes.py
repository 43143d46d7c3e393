"""An unbalanced quote rejects its own row with a clear reason and keeps the rows after it,
whether it swallows a few lines or enough to pass the csv module's field limit; every import
error is in the tenant's language."""

from __future__ import annotations

import io

import pytest
from django.utils import translation

from customers.importing.decoding import UnreadableRecord, inspect_file, read_table
from customers.models import Customer, ImportKind, ImportStatus
from tests.customers.import_support import english, media_root, run_import  # noqa: F401

pytestmark = pytest.mark.usefixtures("media_root", "tenant_scope")

HEADER = "external_id;first_name;last_name;email\n"
UNBALANCED = (
    HEADER
    + "C1;Ali;Kaya;ali@example.com\n"
    + 'C2;"Veli;Demir;veli@example.com\n'
    + "C3;Ayşe;Yılmaz;ayse@example.com\n"
    + "C4;Can;Ak;can@example.com\n"
)


def imported_ids() -> list[str]:
    return sorted(Customer.objects.values_list("external_id", flat=True))


@pytest.mark.usefixtures("english")
def test_the_row_with_the_open_quote_is_rejected_and_the_rows_after_it_are_kept(tenant, tmp_path):
    job = run_import(tenant, ImportKind.CUSTOMERS, UNBALANCED.encode(), tmp_path)

    assert imported_ids() == ["C1", "C3", "C4"]
    assert (job.total_rows, job.created_rows, job.rejected_rows) == (4, 3, 1)
    [rejection] = job.rejections
    assert rejection["line"] == 3
    assert rejection["external_id"] == "C2"
    assert rejection["errors"] == [
        'A quotation mark (") opens a cell on this line and is not closed, so the line was not '
        "read as a row; the lines after it were read on their own. Remove the quotation mark "
        "or close it."
    ]


@pytest.mark.usefixtures("english")
def test_a_quote_left_open_for_longer_than_the_field_limit_keeps_the_rest(tenant, tmp_path):
    rows = "".join(f"D{n};Ad{n};Soyad{n};kisi{n}@example.com\n" for n in range(4000))
    content = HEADER + 'C0;"Açık;Tırnak;acik@example.com\n' + rows  # ~180,000 characters

    job = run_import(tenant, ImportKind.CUSTOMERS, content.encode(), tmp_path)

    assert job.status == ImportStatus.DONE, job.error
    assert (job.created_rows, job.rejected_rows) == (4000, 1)
    assert job.rejections[0]["line"] == 2
    assert Customer.objects.filter(external_id="D3999").exists()


def test_a_quoted_address_on_two_lines_and_a_delimiter_in_quotes_are_fine():
    content = (
        "external_id;company_name;address\n"
        'C1;"Kaya; Ortakları Ltd.";"Bağdat Cad. No:5\nKadıköy"\n'
        "C2;Demir A.Ş.;Moda\n"
    )

    _header, records = read_table(io.BytesIO(content.encode()), encoding="utf-8-sig", delimiter=";")

    assert list(records) == [
        (2, ["C1", "Kaya; Ortakları Ltd.", "Bağdat Cad. No:5\nKadıköy"]),
        (4, ["C2", "Demir A.Ş.", "Moda"]),
    ]


def test_the_row_count_and_the_rows_read_agree():
    raw = io.BytesIO(UNBALANCED.encode())

    total = inspect_file(raw).total_rows
    _header, records = read_table(raw, encoding="utf-8-sig", delimiter=";")
    records = list(records)

    assert total == len(records) == 4
    assert isinstance(records[1][1], UnreadableRecord)
    assert records[1][1][:2] == ["C2", '"Veli']


def test_import_errors_are_in_the_tenants_language(tenant, tmp_path):
    tenant.default_language = "tr"
    tenant.save()
    rows = "".join(f"D{n};Ad{n};Soyad{n};kisi{n}@example.com\n" for n in range(4000))
    content = HEADER + "C0;" + "x" * 140_000 + ";A;a@example.com\n" + UNBALANCED[len(HEADER) :]

    job = run_import(tenant, ImportKind.CUSTOMERS, (content + rows).encode(), tmp_path)

    reasons = [reason for rejection in job.rejections for reason in rejection["errors"]]
    assert reasons == [
        "Bir hücre 131072 karakterden uzun.",
        'Bu satırda bir hücre tırnak işaretiyle (") açılıyor ve kapanmıyor; bu yüzden satır '
        "okunmadı, sonraki satırlar ayrı ayrı okundu. Tırnak işaretini silin ya da kapatın.",
    ]
    with translation.override("tr"):
        assert "field larger than field limit" not in str(job.rejections)
