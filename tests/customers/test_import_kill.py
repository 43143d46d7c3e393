"""A worker killed (SIGKILL) in the middle of an import: the chunks it committed stay, and
resuming the job gives exactly the rows of one clean import, no doubles. The worker is a real
process importing in small chunks, killed for real."""

from __future__ import annotations

import signal
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.db.models import Count, Sum
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from customers.importing.service import import_job_resume, import_job_run
from customers.models import ImportJob, ImportStatus, Transaction
from customers.tasks import import_job_process
from tests.factories import CustomerFactory
from tests.process_support import wait_for, worker_sessions_gone, worker_start

pytestmark = pytest.mark.django_db(transaction=True)

WORKER = Path(__file__).with_name("import_worker.py")
ROWS = 600
ROWS_PER_CHUNK = 100


def _transactions_csv(path: Path) -> Decimal:
    """ROWS purchases of ten customers, amounts 1,01 … 6,00 (decimal comma); their total."""
    lines = ["external_id;customer_external_id;occurred_at;amount"]
    total = Decimal(0)
    for number in range(1, ROWS + 1):
        amount = Decimal(number) / 100 + 1
        total += amount
        lines.append(f"T-{number:04};M-{number % 10};01.03.2026;{str(amount).replace('.', ',')}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return total


def _job(tenant) -> ImportJob | None:
    with scopes_disabled():
        return ImportJob.objects.filter(tenant=tenant).first()


def test_resuming_an_import_killed_mid_file_gives_exactly_one_clean_import(
    tenant, settings, tmp_path, monkeypatch
):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    for number in range(10):
        CustomerFactory(tenant=tenant, external_id=f"M-{number}")
    total = _transactions_csv(tmp_path / "islemler.csv")

    worker = worker_start(
        WORKER,
        tenant.pk,
        tmp_path / "islemler.csv",
        ROWS_PER_CHUNK,
        1,
        MEDIA_ROOT=str(tmp_path / "media"),
    )
    try:
        wait_for(lambda: (job := _job(tenant)) is not None and job.processed_rows >= 200)
        assert not worker_sessions_gone()  # the name reaches the server (else the wait is moot)
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()

    wait_for(worker_sessions_gone)
    job = _job(tenant)
    with scopes_disabled():
        committed = Transaction.objects.filter(tenant=tenant).count()
    assert job.status == ImportStatus.RUNNING  # what a dead worker leaves behind
    assert 200 <= committed < ROWS
    assert committed % ROWS_PER_CHUNK == 0  # whole chunks only: the killed one rolled back

    # Ten minutes without a heartbeat make the job "stalled"; pretend they have passed.
    with scopes_disabled():
        ImportJob.objects.filter(pk=job.pk).update(
            heartbeat_at=timezone.now() - timedelta(minutes=30)
        )
    # The resumed job's task is recorded instead of sent; what it runs is run here, in-process.
    enqueued = []
    monkeypatch.setattr(
        import_job_process, "apply_async", lambda args, kwargs: enqueued.append(args)
    )
    with scope(tenant=tenant):
        import_job_resume(tenant=tenant, job_id=job.pk)
        assert enqueued == [(tenant.pk, job.pk)]
        import_job_run(tenant=tenant, job_id=job.pk)

    job.refresh_from_db()
    with scopes_disabled():
        transactions = Transaction.objects.filter(tenant=tenant)
        figures = transactions.aggregate(
            rows=Count("id"), ids=Count("external_id", distinct=True), total=Sum("amount")
        )
    assert job.status == ImportStatus.DONE
    assert (job.created_rows, job.unchanged_rows) == (ROWS - committed, committed)
    assert figures == {"rows": ROWS, "ids": ROWS, "total": total}
