"""Imported files and rejected rows are personal data: deleted after the retention period."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from crm.models import AuditEntry
from customers.importing.service import import_files_purge
from customers.models import ImportJob, ImportKind, ImportStatus
from customers.tasks import purge_import_files_everywhere
from tests.customers.import_support import english, media_root  # noqa: F401

pytestmark = pytest.mark.usefixtures("media_root", "english")


@pytest.fixture(autouse=True)
def _thirty_days(settings):
    settings.CRM_IMPORT_RETENTION_DAYS = 30


def make_job(tenant, *, ended_days_ago: int | None, status=ImportStatus.DONE) -> ImportJob:
    finished = None if ended_days_ago is None else timezone.now() - timedelta(days=ended_days_ago)
    job = ImportJob(
        tenant=tenant,
        kind=ImportKind.CUSTOMERS,
        status=status,
        original_filename="musteriler.csv",
        total_rows=3,
        processed_rows=3,
        created_rows=2,
        rejected_rows=1,
        rejections=[{"line": 3, "errors": ["bad"], "row": [["Ad", "Ayşe"]]}],
        finished_at=finished,
    )
    job.file.save("musteriler.csv", ContentFile(b"Ad\nAyse\n"), save=False)
    with scopes_disabled():
        job.save()
    return job


def purge(tenant) -> int:
    with scope(tenant=tenant):
        return import_files_purge(tenant=tenant)


def test_files_of_imports_that_ended_over_the_retention_period_ago_are_deleted(tenant):
    job = make_job(tenant, ended_days_ago=31)
    path = job.file.path
    assert purge(tenant) == 1
    job.refresh_from_db()
    assert (job.file.name, job.rejections, job.purged_at is not None) == ("", [], True)
    assert (job.created_rows, job.rejected_rows, job.status) == (2, 1, ImportStatus.DONE)
    assert not __import__("os").path.exists(path)


def test_recent_and_unfinished_imports_keep_their_files(tenant):
    recent = make_job(tenant, ended_days_ago=29)
    running = make_job(tenant, ended_days_ago=None, status=ImportStatus.RUNNING)
    assert purge(tenant) == 0
    for job in (recent, running):
        job.refresh_from_db()
        assert job.file.name and job.purged_at is None


def test_purging_twice_does_nothing_more(tenant):
    make_job(tenant, ended_days_ago=40)
    assert (purge(tenant), purge(tenant)) == (1, 0)


def test_a_tenants_purge_leaves_other_tenants_files(tenant, other_tenant):
    theirs = make_job(other_tenant, ended_days_ago=40)
    purge(tenant)
    theirs.refresh_from_db()
    assert theirs.purged_at is None and theirs.file.name


def test_purge_leaves_an_audit_entry(tenant):
    make_job(tenant, ended_days_ago=40)
    purge(tenant)
    with scope(tenant=tenant):
        entry = AuditEntry.objects.get(action="customers.import.files_purged")
    assert entry.data == {"jobs": 1, "retention_days": 30}


def test_nightly_fan_out_purges_every_tenant(
    tenant, other_tenant, settings, django_capture_on_commit_callbacks
):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    jobs = [make_job(tenant, ended_days_ago=40), make_job(other_tenant, ended_days_ago=40)]
    with django_capture_on_commit_callbacks(execute=True):
        assert purge_import_files_everywhere() == 2
    for job in jobs:
        job.refresh_from_db()
        assert job.purged_at is not None


def test_purged_job_page_says_the_file_was_deleted(tenant, manager_client):
    job = make_job(tenant, ended_days_ago=40)
    purge(tenant)
    detail = reverse(
        "customers:import_detail", kwargs={"tenant_slug": tenant.slug, "job_id": job.pk}
    )
    body = manager_client.get(detail).content.decode()
    assert "were deleted on" in body
    assert "Download rejected rows" not in body


def test_rejected_rows_download_of_a_purged_job_redirects_with_a_message(tenant, manager_client):
    job = make_job(tenant, ended_days_ago=40)
    purge(tenant)
    download = reverse(
        "customers:import_rejections", kwargs={"tenant_slug": tenant.slug, "job_id": job.pk}
    )
    response = manager_client.get(download, follow=True)
    assert response.redirect_chain[-1][1] == 302
    assert "have been deleted" in response.content.decode()
