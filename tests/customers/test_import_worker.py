"""An upload imported by a real Celery worker on the configured transport, end to end."""

from __future__ import annotations

import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_scopes import scopes_disabled

from crm.celery import app as celery_app
from customers.models import Customer, ImportJob, ImportStatus
from tests.crm.test_celery import isolated_transport  # noqa: F401
from tests.customers.import_support import confirm_preview, english, media_root  # noqa: F401

pytestmark = pytest.mark.usefixtures("isolated_transport", "media_root", "english")


@pytest.mark.celery_worker
def test_upload_is_imported_by_the_worker_and_the_page_follows_it(
    transactional_db, tenant, manager_client, settings
):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    content = "Müşteri No;Ad;Soyad\nM1;Ayşe;Yılmaz\nM2;;\n".encode("cp1254")

    with start_worker(
        celery_app, perform_ping_check=False, shutdown_timeout=30, pool="solo", queues=["celery"]
    ):
        manager_client.post(
            reverse("customers:import_new", kwargs={"tenant_slug": tenant.slug}),
            {"kind": "customers", "file": SimpleUploadedFile("m.csv", content)},
        )
        with scopes_disabled():
            job = ImportJob.objects.get(tenant=tenant)
        response = confirm_preview(manager_client, tenant, job)
        with scopes_disabled():
            job.refresh_from_db()
            deadline = time.monotonic() + 60
            while job.status in (ImportStatus.QUEUED, ImportStatus.RUNNING):
                assert time.monotonic() < deadline, "the worker did not finish the import"
                time.sleep(0.2)
                job.refresh_from_db()

    assert response.status_code == 302
    assert (job.status, job.created_rows, job.rejected_rows) == (ImportStatus.DONE, 1, 1)
    with scopes_disabled():
        assert Customer.objects.get(tenant=tenant).first_name == "Ayşe"
    progress = manager_client.get(
        reverse("customers:import_progress", kwargs={"tenant_slug": tenant.slug, "job_id": job.pk})
    )
    assert "hx-trigger" not in progress.text
