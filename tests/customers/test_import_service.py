"""Importing customers and transactions: file formats, row validation, idempotency."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from customers.importing.decoding import ImportFileError
from customers.models import (
    ConsentRecord,
    Customer,
    ImportJob,
    ImportKind,
    ImportStatus,
    LifecycleStage,
    Transaction,
)
from tests.customers.import_support import english, media_root, run_import  # noqa: F401
from tests.factories import CustomerFactory

pytestmark = pytest.mark.usefixtures("media_root", "english", "tenant_scope")

# Check digits hand-verified with python-stdnum: 10000000146 is a valid TCKN, ...147 is not.
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


def test_an_updated_file_updates_only_the_changed_rows(tenant, tmp_path):
    run_import(tenant, ImportKind.CUSTOMERS, CUSTOMERS_CSV.encode(), tmp_path)
    changed = CUSTOMERS_CSV.replace("mehmet@example.com", "mehmet.oz@example.com")

    job = run_import(tenant, ImportKind.CUSTOMERS, changed.encode(), tmp_path, "changed.csv")

    assert (job.created_rows, job.updated_rows, job.unchanged_rows, job.rejected_rows) == (
        0,
        1,
        1,
        1,
    )
    assert Customer.objects.get(external_id="M2").email == "mehmet.oz@example.com"


def test_columns_missing_from_the_file_are_kept(tenant, tmp_path):
    run_import(tenant, ImportKind.CUSTOMERS, CUSTOMERS_CSV.encode(), tmp_path)

    job = run_import(
        tenant,
        ImportKind.CUSTOMERS,
        b"external_id,first_name,last_name\nM1,Ayse,Yilmaz\n",
        tmp_path,
    )

    ayse = Customer.objects.get(external_id="M1")
    assert (job.updated_rows, ayse.first_name, ayse.email) == (1, "Ayse", "ayse@example.com")
    assert ayse.tax_number == GOOD_TCKN


def test_duplicate_external_ids_in_one_file_keep_the_first_row(tenant, tmp_path):
    content = "external_id,first_name\nM1,Ali\nM2,Veli\nM1,Ali Rıza\n"

    job = run_import(tenant, ImportKind.CUSTOMERS, content.encode(), tmp_path)

    assert (job.created_rows, job.rejected_rows) == (2, 1)
    assert Customer.objects.get(external_id="M1").first_name == "Ali"
    assert job.rejections[0]["line"] == 4
    assert "line 2" in job.rejections[0]["errors"][0]


def test_rows_without_external_id_are_rejected(tenant, tmp_path):
    job = run_import(
        tenant, ImportKind.CUSTOMERS, b"external_id,first_name\n,Ali\nM2,Veli\n", tmp_path
    )

    assert (job.created_rows, job.rejected_rows) == (1, 1)
    assert "required" in job.rejections[0]["errors"][0]


def test_utf8_with_bom_is_read(tenant, tmp_path):
    content = "\ufeffexternal_id;first_name;city\nM1;Şule;Muğla\n".encode()

    job = run_import(tenant, ImportKind.CUSTOMERS, content, tmp_path)

    assert (job.encoding, job.delimiter, job.created_rows) == ("utf-8-sig", ";", 1)
    assert Customer.objects.get(external_id="M1").first_name == "Şule"


def test_windows_1254_file_with_turkish_letters_and_headers(tenant, tmp_path):
    content = "Müşteri No;Ad;Soyad;İl;E-posta\nM1;İpek;Güneş;Iğdır;ipek@example.com\n"

    job = run_import(tenant, ImportKind.CUSTOMERS, content.encode("cp1254"), tmp_path)

    assert (job.encoding, job.created_rows) == ("cp1254", 1)
    ipek = Customer.objects.get(external_id="M1")
    assert (ipek.first_name, ipek.last_name, ipek.city) == ("İpek", "Güneş", "Iğdır")
    assert ipek.region == "Doğu Anadolu"
    assert ipek.email == "ipek@example.com"


def test_company_with_turkish_choice_labels_and_consent(tenant, tmp_path):
    content = (
        "Harici No;Tür;Firma Adı;Vergi No;Aşama;Kazanım Kanalı;E-posta İzni;SMS İzni;Etiketler\n"
        "F1;Şirket;Anadolu Gıda A.Ş.;1000000000;Aktif;Fuar;Evet;hayır;bayi|vip\n"
    )

    job = run_import(tenant, ImportKind.CUSTOMERS, content.encode(), tmp_path)

    assert job.created_rows == 1, job.rejections
    firma = Customer.objects.get(external_id="F1")
    assert (firma.kind, firma.company_name, firma.display_name) == (
        "company", "Anadolu Gıda A.Ş.", "Anadolu Gıda A.Ş."
    )  # fmt: skip
    assert (firma.lifecycle_stage, firma.acquisition_channel) == ("active", "event")
    assert (firma.consent_email, firma.consent_sms, firma.tags) == (True, False, ["bayi", "vip"])
    assert list(ConsentRecord.objects.values_list("channel", "granted", "source")) == [
        ("email", True, "import")
    ]


def test_consent_is_recorded_again_only_when_it_changes(tenant, tmp_path):
    first = b"external_id,first_name,consent_sms\nM1,Ali,yes\n"
    run_import(tenant, ImportKind.CUSTOMERS, first, tmp_path)
    run_import(tenant, ImportKind.CUSTOMERS, first, tmp_path, "same.csv")
    run_import(
        tenant, ImportKind.CUSTOMERS, b"external_id,first_name,consent_sms\nM1,Ali,no\n", tmp_path
    )

    assert list(ConsentRecord.objects.order_by("id").values_list("channel", "granted")) == [
        ("sms", True),
        ("sms", False),
    ]


def test_a_customer_row_lists_every_reason(tenant, tmp_path):
    content = (
        "external_id,kind,email,phone,lifecycle_stage\nM1,company,not-an-email,12,terminated\n"
    )

    job = run_import(tenant, ImportKind.CUSTOMERS, content.encode(), tmp_path)

    [rejection] = job.rejections
    assert len(rejection["errors"]) == 4  # company name, reason, email, phone
    assert any(error.startswith("email:") for error in rejection["errors"])
    assert any(error.startswith("phone:") for error in rejection["errors"])


TRANSACTIONS_CSV = (
    "İşlem No;Müşteri No;Tarih;Tutar;Maliyet;Durum;Kanal\n"
    "S1;M1;15.03.2024 14:30;1.234,56;800,00;Tamamlandı;Mağaza\n"
    "S2;M1;2024-03-16;99.90;;iade;web\n"
    "S3;YOK;16.03.2024;10,00;;;\n"
    "S4;M1;31.02.2024;10,00;;;\n"
    "S5;M1;16.03.2024;-5,00;;;\n"
)


@pytest.fixture
def customer_m1(tenant):
    return CustomerFactory(tenant=tenant, external_id="M1")


def test_transactions_semicolon_decimal_comma_and_turkish_dates(tenant, tmp_path, customer_m1):
    job = run_import(tenant, ImportKind.TRANSACTIONS, TRANSACTIONS_CSV.encode(), tmp_path)

    assert (job.created_rows, job.rejected_rows) == (2, 3)
    s1 = Transaction.objects.get(external_id="S1")
    assert s1.customer == customer_m1
    assert (s1.amount, s1.cost, s1.status, s1.channel) == (
        Decimal("1234.56"), Decimal("800.00"), "completed", "store"
    )  # fmt: skip
    istanbul = ZoneInfo("Europe/Istanbul")
    assert s1.occurred_at == datetime(2024, 3, 15, 14, 30, tzinfo=istanbul)
    s2 = Transaction.objects.get(external_id="S2")
    assert (s2.amount, s2.status, s2.currency) == (Decimal("99.90"), "refunded", "TRY")
    assert s2.occurred_at == datetime(2024, 3, 16, tzinfo=istanbul)


def test_transaction_for_an_unknown_customer_is_rejected(tenant, tmp_path, customer_m1):
    job = run_import(tenant, ImportKind.TRANSACTIONS, TRANSACTIONS_CSV.encode(), tmp_path)

    by_line = {rejection["line"]: rejection["errors"] for rejection in job.rejections}
    assert sorted(by_line) == [4, 5, 6]
    assert by_line[4] == ["No customer has the external id “YOK”."]
    assert "not a valid date" in by_line[5][0]
    assert "0 or more" in by_line[6][0]


def test_transactions_of_another_tenants_customer_are_not_matched(tenant, other_tenant, tmp_path):
    CustomerFactory(tenant=other_tenant, external_id="M1")

    job = run_import(tenant, ImportKind.TRANSACTIONS, TRANSACTIONS_CSV.encode(), tmp_path)

    assert (job.created_rows, job.rejected_rows) == (0, 5)


def test_reimporting_transactions_changes_nothing_and_a_change_updates(
    tenant, tmp_path, customer_m1
):
    run_import(tenant, ImportKind.TRANSACTIONS, TRANSACTIONS_CSV.encode(), tmp_path)
    again = run_import(
        tenant, ImportKind.TRANSACTIONS, TRANSACTIONS_CSV.encode(), tmp_path, "b.csv"
    )
    changed = TRANSACTIONS_CSV.replace("1.234,56", "1.300,00")
    updated = run_import(tenant, ImportKind.TRANSACTIONS, changed.encode(), tmp_path, "c.csv")

    assert (again.created_rows, again.updated_rows, again.unchanged_rows) == (0, 0, 2)
    assert (updated.created_rows, updated.updated_rows, updated.unchanged_rows) == (0, 1, 1)
    assert Transaction.objects.get(external_id="S1").amount == Decimal("1300.00")
    assert Transaction.objects.count() == 2


def test_many_rows_are_written_in_several_chunks(tenant, tmp_path, customer_m1, monkeypatch):
    monkeypatch.setattr("customers.importing.service.CHUNK_ROWS", 3)
    lines = [f"S{n},M1,2024-01-{n:02d},{n}.50" for n in range(1, 11)]
    content = "external_id,customer_external_id,occurred_at,amount\n" + "\n".join(lines)

    job = run_import(tenant, ImportKind.TRANSACTIONS, content.encode(), tmp_path)

    assert (job.total_rows, job.processed_rows, job.created_rows) == (10, 10, 10)
    assert sum(Transaction.objects.values_list("amount", flat=True)) == Decimal("60.00")


def test_quoted_cells_with_line_breaks_keep_line_numbers(tenant, tmp_path):
    content = 'external_id,first_name,notes\nM1,Ali,"two\nlines"\nM2,,x\n'

    job = run_import(tenant, ImportKind.CUSTOMERS, content.encode(), tmp_path)

    assert Customer.objects.get(external_id="M1").notes == "two\nlines"
    assert job.rejections[0]["line"] == 4


def test_a_changed_unreadable_file_fails_the_job_with_a_message(tenant, tmp_path):
    job = run_import(tenant, ImportKind.CUSTOMERS, b"external_id,first_name\nM1,Ali\n", tmp_path)
    with job.file.open("wb") as stored:
        stored.write(b"\x00\x01")
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.QUEUED, encoding="")

    from customers.importing.service import import_job_run

    failed = import_job_run(tenant=tenant, job_id=job.pk)

    assert failed.status == ImportStatus.FAILED
    assert "binary" in failed.error


def test_file_level_errors_raise_before_a_job_exists(tenant, tmp_path):
    with pytest.raises(ImportFileError, match="Required columns are missing"):
        run_import(tenant, ImportKind.TRANSACTIONS, b"external_id,amount\nS1,5\n", tmp_path)


def test_lifecycle_stage_default_and_dates(tenant, tmp_path):
    content = "external_id,first_name,birthday,acquired_on\nM1,Ali,01.02.1985,2024-03-15\n"

    run_import(tenant, ImportKind.CUSTOMERS, content.encode(), tmp_path)

    ali = Customer.objects.get(external_id="M1")
    assert (ali.lifecycle_stage, ali.birthday, ali.acquired_on) == (
        LifecycleStage.PROSPECT, date(1985, 2, 1), date(2024, 3, 15)
    )  # fmt: skip


def test_a_row_only_the_database_refuses_is_rejected_and_the_rest_kept(tenant, tmp_path):
    CustomerFactory(
        tenant=tenant, external_id="M1", lifecycle_stage="terminated", termination_reason="Taşındı"
    )
    # Blanking the reason of a terminated customer breaks a database constraint.
    content = "external_id,first_name,termination_reason\nM1,Ali,\nM2,Veli,\n"

    job = run_import(tenant, ImportKind.CUSTOMERS, content.encode(), tmp_path)

    assert (job.created_rows, job.updated_rows, job.rejected_rows) == (1, 0, 1)
    [rejection] = job.rejections
    assert rejection["line"] == 2
    assert "customer_termination_has_reason" in rejection["errors"][0]
    assert Customer.objects.get(external_id="M1").termination_reason == "Taşındı"


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_chunks_are_written_by_a_background_writer(
    tenant, tmp_path, monkeypatch
):
    # The production path (Celery task, command): committed data, a writer thread.
    monkeypatch.setattr("customers.importing.service.CHUNK_ROWS", 2)
    CustomerFactory(tenant=tenant, external_id="M1")
    lines = [f"S{n},M1,2024-01-{n:02d},{n}" for n in range(1, 8)]
    content = "external_id,customer_external_id,occurred_at,amount\n" + "\n".join(lines)
    content += "\nS9,NOBODY,2024-01-09,9\n"

    job = run_import(tenant, ImportKind.TRANSACTIONS, content.encode(), tmp_path)
    again = run_import(tenant, ImportKind.TRANSACTIONS, content.encode(), tmp_path, "b.csv")

    assert (job.status, job.processed_rows, job.created_rows, job.rejected_rows) == (
        ImportStatus.DONE, 8, 7, 1
    )  # fmt: skip
    assert (again.created_rows, again.unchanged_rows, again.rejected_rows) == (0, 7, 1)
    assert Transaction.objects.count() == 7


@pytest.mark.django_db(transaction=True)
def test_a_failing_background_writer_fails_the_job(tenant, tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("customers.importing.writing.write_customers", broken)

    with pytest.raises(RuntimeError, match="disk full"):
        run_import(tenant, ImportKind.CUSTOMERS, b"external_id,first_name\nM1,Ali\n", tmp_path)

    job = ImportJob.objects.get()
    assert job.status == ImportStatus.FAILED
    assert "unexpected error" in job.error


def test_owner_is_a_member_by_username_or_email(tenant, tmp_path, sales_user, other_tenant_admin):
    content = (
        "external_id,first_name,owner\n"
        "M1,Ali,SALES\n"
        f"M2,Veli,{sales_user.email}\n"
        "M3,Ayşe,\n"
        f"M4,Can,{other_tenant_admin.username}\n"
    )

    job = run_import(tenant, ImportKind.CUSTOMERS, content.encode(), tmp_path)

    owners = dict(Customer.objects.values_list("external_id", "owner"))
    assert owners == {"M1": sales_user.pk, "M2": sales_user.pk, "M3": None}
    assert job.rejections[0]["line"] == 5
    assert "no member" in job.rejections[0]["errors"][0]


def test_referrals_link_customers_of_the_file_and_of_earlier_imports(tenant, tmp_path):
    CustomerFactory(tenant=tenant, external_id="OLD")
    content = (
        "external_id,first_name,referred_by\n"
        "M1,Ali,OLD\n"
        "M2,Veli,M3\n"  # a referrer later in the same chunk
        "M3,Ayşe,M1\n"
        "M4,Can,NOBODY\n"
        "M5,Cem,M5\n"
    )

    job = run_import(tenant, ImportKind.CUSTOMERS, content.encode(), tmp_path)

    referrers = dict(Customer.objects.values_list("external_id", "referred_by__external_id"))
    assert referrers == {"OLD": None, "M1": "OLD", "M2": "M3", "M3": "M1"}
    assert (job.created_rows, job.rejected_rows) == (3, 2)
    assert [rejection["line"] for rejection in job.rejections] == [5, 6]


def test_changing_only_the_referrer_counts_as_an_update(tenant, tmp_path):
    run_import(
        tenant,
        ImportKind.CUSTOMERS,
        b"external_id,first_name,referred_by\nA,Ali,\nB,Veli,A\n",
        tmp_path,
    )

    job = run_import(
        tenant,
        ImportKind.CUSTOMERS,
        b"external_id,first_name,referred_by\nA,Ali,B\nB,Veli,\n",
        tmp_path,
    )

    assert (job.updated_rows, job.unchanged_rows) == (2, 0)
    referrers = dict(Customer.objects.values_list("external_id", "referred_by__external_id"))
    assert referrers == {"A": "B", "B": None}
