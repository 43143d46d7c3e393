"""The import task: thin, and safe to run twice."""

from __future__ import annotations

import io

import pytest
from django.core.files.base import ContentFile
from django_scopes import scopes_disabled

from customers.importing.decoding import inspect_file
from customers.importing.service import import_job_create
from customers.models import Customer, ImportJob, ImportKind, ImportStatus
from customers.tasks import import_job_process
from tests.customers.import_support import english, media_root  # noqa: F401

pytestmark = pytest.mark.usefixtures("media_root", "english")

CONTENT = b"external_id,first_name\nM1,Ali\nM2,Veli\n"


@pytest.fixture
def queued_job(tenant, manager_user, django_capture_on_commit_callbacks) -> ImportJob:
    file_format = inspect_file(io.BytesIO(CONTENT))
    # Not executing the on-commit callbacks: the job stays queued, as if no worker took it.
    with scopes_disabled(), django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = import_job_create(
            tenant=tenant,
            user=manager_user,
            kind=ImportKind.CUSTOMERS,
            upload=ContentFile(CONTENT, name="m.csv"),
            file_format=file_format,
        )
    assert len(callbacks) == 1  # enqueued once the request commits
    return job


def test_task_runs_a_queued_job(tenant, queued_job):
    result = import_job_process.apply(args=(tenant.pk, queued_job.pk)).get()

    queued_job.refresh_from_db()
    assert result == ImportStatus.DONE
    assert (queued_job.status, queued_job.created_rows) == (ImportStatus.DONE, 2)


def test_task_run_twice_processes_the_job_once(tenant, queued_job):
    first = import_job_process.apply(args=(tenant.pk, queued_job.pk)).get()
    second = import_job_process.apply(args=(tenant.pk, queued_job.pk)).get()

    queued_job.refresh_from_db()
    assert (first, second) == (ImportStatus.DONE, "skipped")
    assert (queued_job.processed_rows, queued_job.created_rows, queued_job.unchanged_rows) == (
        2, 2, 0
    )  # fmt: skip
    with scopes_disabled():
        assert Customer.objects.filter(tenant=tenant).count() == 2


def test_a_running_job_is_not_taken_again(tenant, queued_job):
    with scopes_disabled():
        ImportJob.objects.filter(tenant=tenant, pk=queued_job.pk).update(
            status=ImportStatus.RUNNING
        )

    assert import_job_process.apply(args=(tenant.pk, queued_job.pk)).get() == "skipped"
    with scopes_disabled():
        assert not Customer.objects.filter(tenant=tenant).exists()


def test_task_of_another_tenant_does_not_run_the_job(other_tenant, queued_job):
    # A job id with the wrong tenant id finds nothing to claim.
    assert import_job_process.apply(args=(other_tenant.pk, queued_job.pk)).get() == "skipped"
    queued_job.refresh_from_db()
    assert queued_job.status == ImportStatus.QUEUED
