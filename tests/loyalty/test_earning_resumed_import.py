"""Earning across an import whose worker died mid-file and was resumed: the purchases of the
chunks committed before the death and those written by the resumed pass earn exactly once,
whether or not the nightly safety net earned the first ones in between (earning is keyed by
the purchase; the resumed job announces all of its rows again)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db.models import Count, Sum
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from customers.importing import service, writing
from customers.models import ImportJob, ImportKind, ImportStatus, Transaction
from customers.tasks import import_job_process
from loyalty.models import Member, PointsEntry
from loyalty.services.ledger import points_earn
from loyalty.services.nightly import loyalty_nightly_run
from tests.customers.import_support import english, media_root, run_import  # noqa: F401
from tests.factories import CustomerFactory

pytestmark = pytest.mark.usefixtures("programme", "media_root", "english")

ROWS = 30
ROWS_PER_CHUNK = 10


class WorkerKilled(BaseException):
    """Stands for SIGKILL: not an Exception, so the import's error handling never sees it (no
    "failed" status, no announcement); only the chunks committed before it stay."""


def _csv() -> bytes:
    # Purchase n (1…30) of customer M-(n mod 3) costs n,50 today: it earns n points (1 per
    # lira, rounded down), 465 in all (1 + 2 + … + 30).
    today = timezone.localdate().strftime("%d.%m.%Y")
    lines = ["external_id;customer_external_id;occurred_at;amount"]
    lines += [f"T-{n:03};M-{n % 3};{today};{n},50" for n in range(1, ROWS + 1)]
    return ("\n".join(lines) + "\n").encode()


def _kill_during_chunk(number: int, monkeypatch):
    """Make the worker die while writing chunk `number`; returns the real chunk writer."""
    record_chunk = writing.record_chunk
    calls = 0

    def record_chunk_or_die(**kwargs):
        nonlocal calls
        calls += 1
        if calls == number:
            raise WorkerKilled
        record_chunk(**kwargs)

    monkeypatch.setattr(service, "CHUNK_ROWS", ROWS_PER_CHUNK)
    monkeypatch.setattr(writing, "record_chunk", record_chunk_or_die)
    return record_chunk


@pytest.mark.parametrize("nightly_in_between", [False, True])
def test_a_killed_and_resumed_import_earns_every_purchase_exactly_once(
    tenant, tmp_path, monkeypatch, django_capture_on_commit_callbacks, nightly_in_between
):
    for number in range(3):
        CustomerFactory(tenant=tenant, external_id=f"M-{number}")
    record_chunk = _kill_during_chunk(3, monkeypatch)

    with scope(tenant=tenant):
        with django_capture_on_commit_callbacks(execute=True), pytest.raises(WorkerKilled):
            run_import(tenant, ImportKind.TRANSACTIONS, _csv(), tmp_path)
        job = ImportJob.objects.get(tenant=tenant)
        assert job.status == ImportStatus.RUNNING  # what a dead worker leaves behind
        assert Transaction.objects.filter(tenant=tenant).count() == 20  # two whole chunks
        assert not PointsEntry.objects.filter(tenant=tenant).exists()  # never announced
        if nightly_in_between:
            # The safety net earns the committed purchases (1…20: 210 points) before the resume.
            assert loyalty_nightly_run(tenant=tenant)["earned"] == 20

        # A new worker takes the stalled job over (no kill this time).
        monkeypatch.setattr(writing, "record_chunk", record_chunk)
        ImportJob.objects.filter(pk=job.pk).update(
            heartbeat_at=timezone.now() - timedelta(minutes=30)
        )
        monkeypatch.setattr(import_job_process, "apply_async", lambda args, kwargs: None)
        service.import_job_resume(tenant=tenant, job_id=job.pk)
        with django_capture_on_commit_callbacks(execute=True):
            service.import_job_run(tenant=tenant, job_id=job.pk)
        # The announcement delivered twice (a redelivered task) earns nothing more.
        assert points_earn(tenant=tenant, import_job_id=job.pk).entries == 0

    job.refresh_from_db()
    assert (job.status, job.created_rows, job.unchanged_rows) == (ImportStatus.DONE, 10, 20)
    with scopes_disabled():
        per_purchase = (
            PointsEntry.objects.filter(tenant=tenant, kind="earn", source="transaction")
            .values("transaction_id")
            .annotate(entries=Count("id"), points=Sum("pending_delta"))
        )
        assert len(per_purchase) == ROWS
        assert {row["entries"] for row in per_purchase} == {1}
        # Customer M-k earns the n ≡ k (mod 3): M-0 3+6+…+30 = 165, M-1 1+4+…+28 = 145,
        # M-2 2+5+…+29 = 155; 465 in all, all of it pending.
        balances = dict(
            Member.objects.filter(tenant=tenant).values_list("customer__external_id", "pending")
        )
    assert balances == {"M-0": 165, "M-1": 145, "M-2": 155}
