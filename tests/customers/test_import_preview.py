"""The import preview: after an upload nothing is written until the user has seen how each
column is read, mapped or ignored every unknown header, and confirmed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from crm.models import AuditEntry
from customers.importing.service import import_files_purge
from customers.models import Customer, ImportJob, ImportKind, ImportStatus, Transaction
from tests.customers.import_support import (  # noqa: F401
    confirm_preview,
    english,
    media_root,
    preview_choices,
    preview_url,
)
from tests.factories import CustomerFactory

pytestmark = pytest.mark.usefixtures("media_root", "english")

GOOD_TCKN = "10000000146"
BAD_TCKN = "10000000147"
# "E-psota" is misspelled; "Favori Renk" is not ours.
CUSTOMERS_FILE = (
    "Müşteri No;Ad;Soyad;E-psota;Vergi No;Favori Renk\n"
    f"M1;Ayşe;Yılmaz;ayse@example.com;{GOOD_TCKN};mavi\n"
    f"M2;Can;Ak;can@example.com;{BAD_TCKN};yeşil\n"
).encode()


def url(name: str, tenant, **kwargs) -> str:
    return reverse(f"customers:{name}", kwargs={"tenant_slug": tenant.slug, **kwargs})


def uploaded(client, tenant, content: bytes, kind=ImportKind.CUSTOMERS) -> ImportJob:
    client.post(
        url("import_new", tenant),
        {"kind": kind, "file": SimpleUploadedFile("data.csv", content, content_type="text/csv")},
    )
    with scopes_disabled():
        return ImportJob.objects.filter(tenant=tenant).latest("pk")


@pytest.fixture
def eager_celery(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True


@pytest.fixture
def customers_job(tenant, manager_client) -> ImportJob:
    return uploaded(manager_client, tenant, CUSTOMERS_FILE)


def test_upload_waits_for_confirmation_and_writes_nothing(tenant, manager_client):
    response = manager_client.post(
        url("import_new", tenant),
        {"kind": "customers", "file": SimpleUploadedFile("m.csv", CUSTOMERS_FILE)},
    )

    with scopes_disabled():
        job = ImportJob.objects.get(tenant=tenant)
        assert not Customer.objects.filter(tenant=tenant).exists()
        assert AuditEntry.objects.filter(action="customers.import.uploaded").count() == 1
    assert response.url == url("import_preview", tenant, job_id=job.pk)
    assert (job.status, job.total_rows, job.column_mapping) == (ImportStatus.PREVIEW, 2, None)


def test_preview_shows_how_each_column_was_understood(tenant, manager_client, customers_job):
    response = manager_client.get(preview_url(tenant, customers_job))

    form = response.context["form"]
    assert [form[f"column_{n}"].initial for n in range(6)] == [
        "external_id", "first_name", "last_name", "", "tax_number", "",
    ]  # fmt: skip
    text = response.text
    assert "Did you mean “E-posta”?" in text
    assert text.count("not recognised") == 2
    # The suggestion comes first among the fields of the misspelled column's select.
    assert form.fields["column_3"].choices[2] == ("email", "E-posta / email (suggested)")


def test_preview_shows_the_first_rows_as_read_with_cell_errors(
    tenant, manager_client, customers_job
):
    preview = manager_client.get(preview_url(tenant, customers_job)).context["preview"]

    first, second = preview.rows
    assert (first.line, first.rejected) == (2, False)
    assert [cell.value for cell in first.cells[:3]] == ["M1", "Ayşe", "Yılmaz"]
    assert [cell.field for cell in first.cells] == [
        "external_id", "first_name", "last_name", "", "tax_number", "",
    ]  # fmt: skip
    assert second.rejected
    [tax_error] = second.cells[4].errors
    assert tax_error.startswith("Vergi No: ")
    assert second.errors == [tax_error]


def test_confirming_with_an_undecided_column_is_refused(tenant, manager_client, customers_job):
    data = preview_choices(manager_client, tenant, customers_job, column_5="-")

    response = manager_client.post(
        preview_url(tenant, customers_job), {**data, "action": "confirm"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["column_3"] == [
        "Choose the field this column goes to, or ignore it."
    ]
    customers_job.refresh_from_db()
    assert customers_job.status == ImportStatus.PREVIEW


def test_mapping_the_misspelled_column_imports_it(
    tenant, manager_client, customers_job, eager_celery, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = confirm_preview(
            manager_client, tenant, customers_job, column_3="email", column_5="-"
        )

    assert response.url == url("import_detail", tenant, job_id=customers_job.pk)
    customers_job.refresh_from_db()
    assert customers_job.column_mapping == [
        "external_id", "first_name", "last_name", "email", "tax_number", "",
    ]  # fmt: skip
    assert (customers_job.status, customers_job.created_rows) == (ImportStatus.DONE, 1)
    with scopes_disabled():
        assert Customer.objects.get(tenant=tenant, external_id="M1").email == "ayse@example.com"
        entry = AuditEntry.objects.get(action="customers.import.confirmed")
    assert entry.data["ignored"] == ["Favori Renk"]
    assert entry.data["columns"]["E-psota"] == "email"


def test_an_ignored_column_is_not_imported(
    tenant, manager_client, customers_job, eager_celery, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        confirm_preview(manager_client, tenant, customers_job, column_3="-", column_5="-")

    with scopes_disabled():
        assert Customer.objects.get(tenant=tenant, external_id="M1").email == ""


def test_an_unknown_header_can_be_the_required_external_id(
    tenant, manager_client, eager_celery, django_capture_on_commit_callbacks
):
    job = uploaded(manager_client, tenant, b"Numara;Ad\nK-7;Ali\n")

    with django_capture_on_commit_callbacks(execute=True):
        confirm_preview(manager_client, tenant, job, column_0="external_id")

    with scopes_disabled():
        assert Customer.objects.get(tenant=tenant, external_id="K-7").first_name == "Ali"


def test_two_columns_for_one_field_is_an_error(tenant, manager_client):
    job = uploaded(manager_client, tenant, b"external_id,ad,first_name\nM1,Ali,Veli\n")
    data = preview_choices(manager_client, tenant, job, column_2="first_name")

    response = manager_client.post(preview_url(tenant, job), {**data, "action": "confirm"})

    assert response.context["form"].errors["column_2"] == [
        "Column 2 already goes to this field; ignore one of them."
    ]


def test_a_required_column_left_out_is_an_error(tenant, manager_client, customers_job):
    data = preview_choices(
        manager_client, tenant, customers_job, column_0="-", column_3="-", column_5="-"
    )

    response = manager_client.post(
        preview_url(tenant, customers_job), {**data, "action": "confirm"}
    )

    assert "Every import needs these columns: Müşteri No / external_id." in response.text


def test_transactions_preview_reads_turkish_amounts_dates_and_finds_customers(
    tenant, manager_client
):
    with scopes_disabled():
        CustomerFactory(tenant=tenant, external_id="M1")
    content = (
        "İşlem No;Müşteri No;Tarih;Tutar;Kanal\n"
        "S1;M1;15.03.2024 14:30;1.234,56;mağaza\n"
        "S2;M9;01.02.2024;12,5;web\n"
        "S3;M1;31.02.2024;7;web\n"
    ).encode()
    job = uploaded(manager_client, tenant, content, kind=ImportKind.TRANSACTIONS)

    preview = manager_client.get(preview_url(tenant, job)).context["preview"]

    good, unknown_customer, bad_date = preview.rows
    assert [cell.value for cell in good.cells] == ["S1", "M1", "03/15/2024 2:30 p.m.",
                                                   "1,234.56", "Store"]  # fmt: skip
    assert unknown_customer.cells[1].errors == ["No customer has the external id “M9”."]
    assert unknown_customer.cells[3].value == "12.50"
    assert bad_date.cells[2].errors == ["Tarih: “31.02.2024” is not a valid date."]
    assert bad_date.errors == ["Tarih: “31.02.2024” is not a valid date."]


def test_changing_a_choice_with_htmx_redraws_the_preview_only(
    tenant, manager_client, customers_job
):
    data = preview_choices(manager_client, tenant, customers_job, column_3="email")

    response = manager_client.post(preview_url(tenant, customers_job), data, HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert response.templates[0].name == "customers/imports/_preview_form.html"
    assert response.context["preview"].rows[0].cells[3].value == "ayse@example.com"
    customers_job.refresh_from_db()
    assert customers_job.status == ImportStatus.PREVIEW  # nothing confirmed


def test_confirming_twice_queues_the_import_once(
    tenant, manager_client, customers_job, django_capture_on_commit_callbacks
):
    data = preview_choices(manager_client, tenant, customers_job, column_3="email", column_5="-")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        manager_client.post(preview_url(tenant, customers_job), {**data, "action": "confirm"})
        second = manager_client.post(
            preview_url(tenant, customers_job), {**data, "action": "confirm"}, follow=True
        )

    assert len(callbacks) == 1
    assert second.redirect_chain[-1][0] == url("import_detail", tenant, job_id=customers_job.pk)


def test_discarding_deletes_the_upload_and_says_so(tenant, manager_client, customers_job):
    stored = customers_job.file.name
    storage = customers_job.file.storage

    response = manager_client.post(
        url("import_discard", tenant, job_id=customers_job.pk), follow=True
    )

    assert "The upload “data.csv” was discarded; nothing was imported." in response.text
    with scopes_disabled():
        assert not ImportJob.objects.filter(pk=customers_job.pk).exists()
        assert AuditEntry.objects.filter(action="customers.import.discarded").exists()
    assert not storage.exists(stored)


def test_a_confirmed_job_cannot_be_discarded(tenant, manager_client, customers_job):
    with scopes_disabled():
        ImportJob.objects.filter(pk=customers_job.pk).update(status=ImportStatus.DONE)

    response = manager_client.post(
        url("import_discard", tenant, job_id=customers_job.pk), follow=True
    )

    assert "no longer awaiting confirmation" in response.text
    with scopes_disabled():
        assert ImportJob.objects.filter(pk=customers_job.pk).exists()


def test_job_page_of_an_unconfirmed_upload_leads_to_its_preview(
    tenant, manager_client, customers_job
):
    response = manager_client.get(url("import_detail", tenant, job_id=customers_job.pk))

    assert response.url == preview_url(tenant, customers_job)


def test_preview_of_a_started_job_leads_to_its_page(tenant, manager_client, customers_job):
    with scopes_disabled():
        ImportJob.objects.filter(pk=customers_job.pk).update(status=ImportStatus.QUEUED)

    response = manager_client.get(preview_url(tenant, customers_job))

    assert response.url == url("import_detail", tenant, job_id=customers_job.pk)


def test_an_upload_never_confirmed_is_deleted_after_the_retention(tenant, customers_job, settings):
    settings.CRM_IMPORT_RETENTION_DAYS = 30
    storage, stored = customers_job.file.storage, customers_job.file.name
    with scopes_disabled():
        ImportJob.objects.filter(pk=customers_job.pk).update(
            created_at=timezone.now() - timedelta(days=31)
        )
        purged = import_files_purge(tenant=tenant)
        customers_job.refresh_from_db()

    assert purged == 1
    assert not storage.exists(stored)
    assert customers_job.status == ImportStatus.FAILED
    assert customers_job.error == "The upload was never confirmed; nothing was imported."


@pytest.mark.parametrize("name", ["import_preview", "import_discard"])
def test_sales_gets_403(tenant, sales_client, customers_job, name):
    response = sales_client.post(url(name, tenant, job_id=customers_job.pk))

    assert response.status_code == 403
    with scopes_disabled():
        assert ImportJob.objects.get(pk=customers_job.pk).status == ImportStatus.PREVIEW


@pytest.mark.parametrize("name", ["import_preview", "import_discard"])
def test_another_tenants_member_gets_404(other_tenant, other_tenant_client, customers_job, name):
    # Under their own company's address, and under this one's.
    own = url(name, other_tenant, job_id=customers_job.pk)
    assert other_tenant_client.get(own).status_code in {404, 405}
    assert other_tenant_client.post(own, {"action": "confirm"}).status_code == 404
    assert (
        other_tenant_client.post(
            url(name, customers_job.tenant, job_id=customers_job.pk)
        ).status_code
        == 404
    )
    with scopes_disabled():
        assert ImportJob.objects.get(pk=customers_job.pk).status == ImportStatus.PREVIEW


@pytest.mark.parametrize("name", ["import_preview", "import_discard"])
def test_outsider_gets_404(tenant, outsider_client, customers_job, name):
    assert outsider_client.post(url(name, tenant, job_id=customers_job.pk)).status_code == 404


def test_transactions_rows_are_imported_after_confirming(
    tenant, manager_client, eager_celery, django_capture_on_commit_callbacks
):
    with scopes_disabled():
        CustomerFactory(tenant=tenant, external_id="M1")
    content = "İşlem No;Müşteri No;Tarih;Tutarı\nS1;M1;15.03.2024;1.234,56\n".encode()
    job = uploaded(manager_client, tenant, content, kind=ImportKind.TRANSACTIONS)

    with django_capture_on_commit_callbacks(execute=True):
        confirm_preview(manager_client, tenant, job, column_3="amount")

    with scopes_disabled():
        assert str(Transaction.objects.get(tenant=tenant, external_id="S1").amount) == "1234.56"
