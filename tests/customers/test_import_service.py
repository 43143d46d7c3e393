"""Importing customers and transactions: file formats, row validation, idempotency."""

from __future__ import annotations

import pytest

from customers.models import (
    Customer,
    ImportKind,
    ImportStatus,
)
from tests.customers.import_support import media_root, run_import  # noqa: F401

pytestmark = pytest.mark.usefixtures("media_root", "tenant_scope")

# Valid check digits: 10000000146 (TCKN), 1234567890 is not a valid VKN; 0010000005 is? no:
GOOD_TCKN = "10000000146"
BAD_TCKN = "10000000147"

CUSTOMERS_CSV = (
    "external_id,first_name,last_name,email,phone,city,tax_number\n"
    f"M1,Ayşe,Yılmaz,ayse@example.com,0532 123 45 67,istanbul,{GOOD_TCKN}\n"
    "M2,Mehmet,Öz,mehmet@example.com,,İzmir,\n"
    f"M3,Can,Ak,can@example.com,,Ankara,{BAD_TCKN}\n"
)


def test_good_rows_are_kept_and_a_bad_tckn_row_is_rejected(tenant, tmp_path):
    job = run_import(tenant, ImportKind.CUSTOMERS, CUSTOMERS_CSV.encode(), tmp_path)

    assert job.status == ImportStatus.DONE
    assert (job.total_rows, job.processed_rows) == (3, 3)
    assert (job.created_rows, job.updated_rows, job.unchanged_rows, job.rejected_rows) == (
        2,
        0,
        0,
        1,
    )
    assert sorted(Customer.objects.values_list("external_id", flat=True)) == ["M1", "M2"]
    [rejection] = job.rejections
    assert rejection["line"] == 4
    assert rejection["external_id"] == "M3"
    assert "TCKN" in rejection["errors"][0]


def test_imported_customer_is_normalised(tenant, tmp_path):
    run_import(tenant, ImportKind.CUSTOMERS, CUSTOMERS_CSV.encode(), tmp_path)

    ayse = Customer.objects.get(external_id="M1")
    assert str(ayse.phone) == "+905321234567"
    assert ayse.city == "istanbul"
    assert ayse.region == "Marmara"
    assert ayse.tax_number == GOOD_TCKN
    assert ayse.display_name == "Ayşe Yılmaz"


def test_reimporting_the_same_file_changes_nothing(tenant, tmp_path):
    run_import(tenant, ImportKind.CUSTOMERS, CUSTOMERS_CSV.encode(), tmp_path)
    before = dict(Customer.objects.values_list("external_id", "updated_at"))

    job = run_import(tenant, ImportKind.CUSTOMERS, CUSTOMERS_CSV.encode(), tmp_path, "again.csv")

    assert (job.created_rows, job.updated_rows, job.unchanged_rows, job.rejected_rows) == (
        0,
        0,
        2,
        1,
    )
    assert dict(Customer.objects.values_list("external_id", "updated_at")) == before
