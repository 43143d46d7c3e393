"""Resuming an import whose worker stopped mid-file."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from customers.importing.service import ImportResumeError, import_job_resume
from customers.models import ImportJob, ImportKind, ImportStatus
from tests.customers.import_support import english, media_root  # noqa: F401

pytestmark = pytest.mark.usefixtures("english")


def make_job(tenant, *, status=ImportStatus.RUNNING, heartbeat_minutes_ago=30, **fields):
    heartbeat = timezone.now() - timedelta(minutes=heartbeat_minutes_ago)
    values = {
        "kind": ImportKind.TRANSACTIONS,
        "status": status,
        "file": "imports/islemler.csv",
        "original_filename": "islemler.csv",
        "total_rows": 20_000,
        "processed_rows": 10_000,
        "created_rows": 9_990,
        "rejected_rows": 10,
        "rejections": [{"line": 7, "errors": ["bad"]}],
        "started_at": heartbeat - timedelta(minutes=5),
        "heartbeat_at": heartbeat,
        **fields,
    }
    with scopes_disabled():
        return ImportJob.objects.create(tenant=tenant, **values)


def resume_url(tenant, job) -> str:
    return reverse("customers:import_resume", kwargs={"tenant_slug": tenant.slug, "job_id": job.pk})


def test_a_running_job_without_progress_for_ten_minutes_is_stalled(tenant):
    assert make_job(tenant, heartbeat_minutes_ago=11).is_stalled
    assert not make_job(tenant, heartbeat_minutes_ago=2).is_stalled
    assert not make_job(tenant, status=ImportStatus.DONE).is_stalled


def test_resume_queues_the_job_again_with_fresh_counters(
    tenant, manager_user, django_capture_on_commit_callbacks
):
    job = make_job(tenant)
    with scope(tenant=tenant), django_capture_on_commit_callbacks() as callbacks:
        import_job_resume(tenant=tenant, job_id=job.pk, actor=manager_user)
    job.refresh_from_db()
    assert job.status == ImportStatus.QUEUED
    assert (job.processed_rows, job.created_rows, job.rejected_rows, job.rejections) == (
        0,
        0,
        0,
        [],
    )
    assert job.total_rows == 20_000
    assert len(callbacks) == 1  # the task is sent once the transaction commits


def test_a_job_still_making_progress_is_not_resumed(tenant):
    job = make_job(tenant, heartbeat_minutes_ago=1)
    with scope(tenant=tenant), pytest.raises(ImportResumeError):
        import_job_resume(tenant=tenant, job_id=job.pk)
    job.refresh_from_db()
    assert (job.status, job.processed_rows) == (ImportStatus.RUNNING, 10_000)


def test_a_finished_job_is_not_resumed(tenant):
    job = make_job(tenant, status=ImportStatus.DONE)
    with scope(tenant=tenant), pytest.raises(ImportResumeError):
        import_job_resume(tenant=tenant, job_id=job.pk)


def test_resumed_job_runs_the_file_again_through_the_task(
    tenant, manager_client, settings, django_capture_on_commit_callbacks, tmp_path
):
    from tests.factories import CustomerFactory

    settings.MEDIA_ROOT = str(tmp_path)
    settings.CELERY_TASK_ALWAYS_EAGER = True
    CustomerFactory(tenant=tenant, external_id="M-1")
    (tmp_path / "imports").mkdir()
    (tmp_path / "imports" / "islemler.csv").write_text(
        "external_id;customer_external_id;occurred_at;amount\n"
        "T-1;M-1;01.03.2026;1.234,56\n"
        "T-2;M-1;02.03.2026;10,00\n",
        encoding="utf-8",
    )
    job = make_job(tenant, total_rows=2, processed_rows=1, created_rows=1)
    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(resume_url(tenant, job))
    assert response.status_code == 302
    job.refresh_from_db()
    assert (job.status, job.created_rows, job.processed_rows) == (ImportStatus.DONE, 2, 2)
    assert job.heartbeat_at > job.started_at  # each committed chunk moves the heartbeat


def test_resume_page_says_why_when_the_job_is_not_stalled(tenant, manager_client):
    job = make_job(tenant, heartbeat_minutes_ago=1)
    response = manager_client.post(resume_url(tenant, job), follow=True)
    assert "Only an import that has stopped making progress can be resumed." in (
        response.content.decode()
    )


def test_progress_card_offers_resume_only_for_a_stalled_job(tenant, manager_client):
    stalled, moving = make_job(tenant), make_job(tenant, heartbeat_minutes_ago=1)
    progress = "customers:import_progress"
    for job, offered in ((stalled, True), (moving, False)):
        url = reverse(progress, kwargs={"tenant_slug": tenant.slug, "job_id": job.pk})
        body = manager_client.get(url).content.decode()
        assert (resume_url(tenant, job) in body) is offered


def test_sales_gets_403_on_resume(tenant, sales_client):
    assert sales_client.post(resume_url(tenant, make_job(tenant))).status_code == 403


def test_other_tenants_job_is_404_on_resume(tenant, other_tenant, other_tenant_client):
    job = make_job(tenant)
    foreign_url = reverse(
        "customers:import_resume", kwargs={"tenant_slug": other_tenant.slug, "job_id": job.pk}
    )
    assert other_tenant_client.post(foreign_url).status_code == 404
    assert other_tenant_client.post(resume_url(tenant, job)).status_code == 404


def test_get_is_not_allowed_on_resume(tenant, manager_client):
    assert manager_client.get(resume_url(tenant, make_job(tenant))).status_code == 405
