"""The import pages: upload with field errors, job page and progress, downloads, access."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_scopes import scopes_disabled

from customers.models import Customer, ImportJob, ImportKind, ImportStatus
from tests.customers.import_support import (  # noqa: F401
    confirm_preview,
    english,
    media_root,
    response_rows,
)

pytestmark = pytest.mark.usefixtures("media_root", "english")

GOOD_TCKN = "10000000146"
BAD_TCKN = "10000000147"


def url(name: str, tenant, **kwargs) -> str:
    return reverse(f"customers:{name}", kwargs={"tenant_slug": tenant.slug, **kwargs})


def upload(client, tenant, content: bytes, kind=ImportKind.CUSTOMERS, name="musteriler.csv"):
    return client.post(
        url("import_new", tenant),
        {"kind": kind, "file": SimpleUploadedFile(name, content, content_type="text/csv")},
    )


@pytest.fixture
def eager_celery(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True


@pytest.fixture
def finished_job(tenant, manager_client, eager_celery, django_capture_on_commit_callbacks):
    content = (
        f"Müşteri No;Ad;Soyad;Vergi No\nM1;Ayşe;Yılmaz;{GOOD_TCKN}\nM2;Can;Ak;{BAD_TCKN}\n"
    ).encode()
    upload(manager_client, tenant, content)
    with scopes_disabled():
        job = ImportJob.objects.get(tenant=tenant)
    with django_capture_on_commit_callbacks(execute=True):
        confirm_preview(manager_client, tenant, job)
    job.refresh_from_db()
    return job


def test_imports_page_lists_jobs_with_their_status(tenant, manager_client, finished_job):
    response = manager_client.get(url("imports", tenant))

    assert response.status_code == 200
    assert "musteriler.csv" in response.text
    assert "Done, with rejected rows" in response.text


def test_upload_creates_a_job_and_confirming_its_preview_runs_it(
    tenant, manager_client, eager_celery, django_capture_on_commit_callbacks
):
    content = f"external_id,first_name,last_name,tax_number\nM1,Ayşe,Yılmaz,{GOOD_TCKN}\n"

    with django_capture_on_commit_callbacks(execute=True):
        uploaded = upload(manager_client, tenant, content.encode())
    with scopes_disabled():
        job = ImportJob.objects.get(tenant=tenant)
        assert not Customer.objects.filter(tenant=tenant).exists()  # nothing before confirming
    assert uploaded.url == url("import_preview", tenant, job_id=job.pk)
    with django_capture_on_commit_callbacks(execute=True):
        response = confirm_preview(manager_client, tenant, job)

    job.refresh_from_db()
    with scopes_disabled():
        assert Customer.objects.filter(tenant=tenant, external_id="M1").count() == 1
    assert response.status_code == 302
    assert response.url == url("import_detail", tenant, job_id=job.pk)
    assert job.status == ImportStatus.DONE
    assert job.created_rows == 1
    assert job.file.name.startswith("imports/")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The submitted file is empty."),
        (b"\n\n", "The file is empty."),
        (b"external_id,first_name\n", "no data rows"),
        (b"PK\x03\x04\x00\x00binary\x00", "binary data"),
        (b"mail;ad\nali@example.com;Ali\n", "Required columns are missing"),
    ],
    ids=["empty", "blank-lines", "header-only", "binary", "no-column-for-the-id"],
)
def test_bad_files_are_field_errors(tenant, manager_client, content, message):
    response = upload(manager_client, tenant, content)

    assert response.status_code == 200
    assert message in str(response.context["form"].errors["file"])
    with scopes_disabled():
        assert not ImportJob.objects.filter(tenant=tenant).exists()


def test_oversized_upload_is_a_field_error(tenant, manager_client, settings):
    settings.CRM_MAX_UPLOAD_BYTES = 50
    content = b"external_id,first_name\n" + b"M1,Ali\n" * 10  # 93 bytes

    response = upload(manager_client, tenant, content)

    assert response.status_code == 200
    assert "larger than 50" in str(response.context["form"].errors["file"])
    with scopes_disabled():
        assert not ImportJob.objects.filter(tenant=tenant).exists()


def test_upload_without_csrf_token_is_refused(tenant, manager_user):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(manager_user)
    content = b"external_id,first_name\nM1,Ali\n"

    response = upload(client, tenant, content)

    assert response.status_code == 403
    with scopes_disabled():
        assert not ImportJob.objects.filter(tenant=tenant).exists()


def test_undecodable_file_is_a_field_error(tenant, manager_client):
    # 0x81 is undefined in Windows-1254 and invalid as UTF-8.
    response = upload(manager_client, tenant, b"external_id,first_name\nM1,\x81\x81\n")

    assert "characters cannot be read" in str(response.context["form"].errors["file"])


def test_new_import_page_shows_the_column_help(tenant, manager_client):
    response = manager_client.get(url("import_new", tenant))

    assert response.status_code == 200
    assert "Vergi No" in response.text
    assert "tax_number" in response.text
    assert url("import_template", tenant, kind="transactions") in response.text


def test_job_page_shows_counts_and_rejected_rows(tenant, manager_client, finished_job):
    response = manager_client.get(url("import_detail", tenant, job_id=finished_job.pk))

    assert response.status_code == 200
    assert response.context["job"].rejected_rows == 1
    assert "M2" in response.text
    assert url("import_rejections", tenant, job_id=finished_job.pk) in response.text


def test_progress_partial_polls_while_the_job_is_queued(tenant, manager_client, manager_user):
    with scopes_disabled():
        job = ImportJob.objects.create(
            tenant=tenant, kind=ImportKind.CUSTOMERS, file="imports/x.csv",
            original_filename="x.csv", total_rows=10, created_by=manager_user,
        )  # fmt: skip

    response = manager_client.get(url("import_progress", tenant, job_id=job.pk))

    assert 'hx-trigger="every 1s"' in response.text
    assert "0 of 10 rows processed" in response.text


def test_progress_partial_stops_polling_when_done(tenant, manager_client, finished_job):
    response = manager_client.get(
        url("import_progress", tenant, job_id=finished_job.pk), HTTP_HX_REQUEST="true"
    )

    assert "hx-trigger" not in response.text
    assert response["HX-Refresh"] == "true"


def test_rejected_rows_report_has_the_original_row_and_the_reason(
    tenant, manager_client, finished_job
):
    response = manager_client.get(url("import_rejections", tenant, job_id=finished_job.pk))

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = response_rows(response)
    assert rows[0] == ["Müşteri No", "Ad", "Soyad", "Vergi No", "line", "reason"]
    assert rows[1][:5] == ["M2", "Can", "Ak", BAD_TCKN, "3"]
    assert "Vergi No" in rows[1][5] and "TCKN" in rows[1][5]
    assert len(rows) == 2


def test_downloading_rejected_rows_is_audited(tenant, manager_client, manager_user, finished_job):
    from crm.models import AuditEntry

    b"".join(manager_client.get(url("import_rejections", tenant, job_id=finished_job.pk)))

    with scopes_disabled():
        entry = AuditEntry.objects.get(action="customers.import.rejections_exported")
    assert entry.actor == manager_user
    assert entry.data == {"filter": {"import_job": finished_job.pk}, "rows": 1, "complete": True}


def test_template_download_has_the_columns_and_an_example(tenant, manager_client):
    response = manager_client.get(
        url("import_template", tenant, kind="transactions"), HTTP_ACCEPT_LANGUAGE="en"
    )

    rows = response_rows(response)
    assert rows[0][:4] in (
        ["external_id", "customer_external_id", "occurred_at", "amount"],
        ["İşlem No", "Müşteri No", "Tarih", "Tutar"],
    )
    assert len(rows) == 2


def test_unknown_template_kind_is_404(tenant, manager_client):
    assert manager_client.get(url("import_template", tenant, kind="orders")).status_code == 404


@pytest.mark.parametrize("name", ["imports", "import_new"])
def test_sales_gets_403_on_import_pages(tenant, sales_client, name):
    assert sales_client.get(url(name, tenant)).status_code == 403


def test_sales_gets_403_on_a_job_and_its_downloads(tenant, sales_client, finished_job):
    for name in ("import_detail", "import_progress", "import_rejections"):
        assert sales_client.get(url(name, tenant, job_id=finished_job.pk)).status_code == 403


def test_admin_may_import(tenant, admin_client_):
    assert admin_client_.get(url("import_new", tenant)).status_code == 200


def test_other_tenants_job_is_404(other_tenant, other_tenant_client, finished_job):
    # The other tenant's admin asks for this tenant's job under their own tenant's address.
    for name in ("import_detail", "import_progress", "import_rejections"):
        response = other_tenant_client.get(url(name, other_tenant, job_id=finished_job.pk))
        assert response.status_code == 404


def test_outsider_gets_404_on_import_pages(tenant, outsider_client):
    assert outsider_client.get(url("imports", tenant)).status_code == 404


def test_upload_spooled_to_disk_is_checked_and_stored(
    tenant, manager_client, settings, eager_celery, django_capture_on_commit_callbacks
):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0  # Django keeps the upload in a temporary file
    content = "Müşteri No;Ad\nM1;Ayşe\n".encode("cp1254")

    response = upload(manager_client, tenant, content)
    with scopes_disabled():
        job = ImportJob.objects.get(tenant=tenant)
    with django_capture_on_commit_callbacks(execute=True):
        confirm_preview(manager_client, tenant, job)

    assert response.status_code == 302
    with scopes_disabled():
        job.refresh_from_db()
        assert (job.encoding, job.created_rows) == ("cp1254", 1)
        assert Customer.objects.get(tenant=tenant, external_id="M1").first_name == "Ayşe"


def test_imports_page_queries_do_not_grow_with_the_jobs(tenant, manager_client, manager_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def make_jobs(count: int) -> None:
        with scopes_disabled():
            for n in range(count):
                ImportJob.objects.create(
                    tenant=tenant, kind=ImportKind.CUSTOMERS, file=f"imports/{n}.csv",
                    original_filename=f"{n}.csv", created_by=manager_user,
                )  # fmt: skip

    make_jobs(1)
    manager_client.get(url("imports", tenant))  # the first view remembers the tenant
    with CaptureQueriesContext(connection) as one_job:
        manager_client.get(url("imports", tenant))
    make_jobs(5)
    with CaptureQueriesContext(connection) as six_jobs:
        response = manager_client.get(url("imports", tenant))

    assert len(response.context["jobs"]) == 6
    assert len(six_jobs) == len(one_job)


def test_job_page_shows_the_first_20_rejected_rows(tenant, manager_client, manager_user):
    rejections = [
        {"line": n, "external_id": f"M{n}", "errors": ["bad"], "row": [["a", "b"]]}
        for n in range(2, 27)
    ]
    with scopes_disabled():
        job = ImportJob.objects.create(
            tenant=tenant, kind=ImportKind.CUSTOMERS, file="imports/x.csv",
            original_filename="x.csv", total_rows=25, processed_rows=25, rejected_rows=25,
            rejections=rejections, status=ImportStatus.DONE, created_by=manager_user,
        )  # fmt: skip

    response = manager_client.get(url("import_detail", tenant, job_id=job.pk))

    preview = response.context["rejections_preview"]
    assert [rejection["line"] for rejection in preview] == list(range(2, 22))
    assert "The first 20 of 25 rejected rows" in response.text
