"""The life of an import: create the job from an upload, claim it, run it chunk by chunk.

One transaction per chunk (CHUNK_ROWS rows): a crash or a killed worker keeps the chunks
already committed, together with their counts and rejections; importing the same file again
is harmless because every write is an idempotent upsert by external id. A single transaction
for the whole file would hold locks and a growing undo log for minutes on large files and
lose all the work on a late failure.
"""

from __future__ import annotations

import contextvars
import json
import logging
import queue
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import BinaryIO

from django.conf import settings
from django.core.files import File
from django.db import DataError, IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from crm.audit import audit_log, user_or_none
from crm.models import Tenant
from crm.tasks import enqueue_on_commit
from crm.whole_tenant import tables_analyze
from customers.events import transactions_recorded
from customers.importing import writing
from customers.importing.columns import map_header, mapping_check, mapping_positions
from customers.importing.decoding import (
    FileFormat,
    ImportFileError,
    UnreadableRecord,
    inspect_file,
    read_table,
)
from customers.importing.rows import RowReader, RowRejected, reader_for
from customers.models import (
    IMPORT_STALLED_AFTER,
    ConsentRecord,
    Customer,
    ImportJob,
    ImportKind,
    ImportStatus,
    Transaction,
)

logger = logging.getLogger(__name__)


class ImportResumeError(Exception):
    """The job cannot be resumed; the message is for the user."""


class ImportPreviewError(Exception):
    """The upload is no longer awaiting confirmation, or the choices are not valid; the
    message is for the user."""


CHUNK_ROWS = 5_000
# The rejected-rows report keeps this many rows; a file that bad needs fixing at the source.
MAX_STORED_REJECTIONS = 10_000


def import_file_check(*, kind: str, raw: BinaryIO, preview: bool = False) -> FileFormat:
    """File-level checks before accepting an upload (raises ImportFileError). Without a
    preview the header must name the required columns once each; with one, the user maps
    unknown headers and picks between repeated ones, so only a file whose headers are all
    known and still lack a required column is refused here."""
    file_format = inspect_file(raw)
    if preview:
        mapping_check(kind, file_format.header)
    else:
        map_header(kind, file_format.header)
    return file_format


@transaction.atomic
def import_job_create(
    *,
    tenant: Tenant,
    user,
    kind: str,
    upload: File,
    file_format: FileFormat,
    enqueue: bool = True,
    preview: bool = False,
) -> ImportJob:
    """Store the upload and queue its import (the task runs once the request commits), or,
    with `preview`, keep it awaiting the user's confirmation of its columns."""
    # Imported here: tasks.py imports this module.
    from customers.tasks import import_job_process

    job = ImportJob(
        tenant=tenant,
        kind=kind,
        status=ImportStatus.PREVIEW if preview else ImportStatus.QUEUED,
        original_filename=(upload.name or "import.csv").rsplit("/", 1)[-1][:255],
        encoding=file_format.encoding,
        delimiter=file_format.delimiter,
        total_rows=file_format.total_rows,
        created_by=user_or_none(user),
    )
    job.file.save(job.original_filename, upload, save=False)
    job.save()
    audit_log(
        tenant=tenant,
        actor=user,
        action="customers.import.uploaded" if preview else "customers.import.queued",
        target=job,
        data={"kind": kind, "file": job.original_filename, "rows": job.total_rows},
    )
    if enqueue and not preview:
        enqueue_on_commit(import_job_process, tenant.pk, job.pk)
    return job


@transaction.atomic
def import_job_confirm(
    *, tenant: Tenant, job_id: int, mapping: list[str], header: list[str], actor=None
) -> ImportJob:
    """Queue an upload awaiting confirmation, with the field chosen for each header ("" for
    a column to ignore). The conditional UPDATE makes a double click harmless: only one
    request finds the job still awaiting confirmation."""
    from customers.tasks import import_job_process  # tasks.py imports this module

    job = ImportJob.objects.filter(tenant=tenant, pk=job_id).only("kind").first()
    if job is None:
        raise ImportPreviewError(_("This upload is no longer awaiting confirmation."))
    if len(mapping) != len(header):
        raise ImportPreviewError(_("The column choices of this import are not valid."))
    try:
        mapping_positions(job.kind, mapping)
    except ImportFileError as exc:
        raise ImportPreviewError(str(exc)) from exc
    confirmed = ImportJob.objects.filter(
        tenant=tenant, pk=job_id, status=ImportStatus.PREVIEW
    ).update(status=ImportStatus.QUEUED, column_mapping=mapping)
    if confirmed != 1:
        raise ImportPreviewError(_("This upload is no longer awaiting confirmation."))
    job = ImportJob.objects.get(tenant=tenant, pk=job_id)
    audit_log(
        tenant=tenant,
        actor=actor,
        action="customers.import.confirmed",
        target=job,
        data={
            "columns": {text: field for text, field in zip(header, mapping, strict=True) if field},
            "ignored": [text for text, field in zip(header, mapping, strict=True) if not field],
        },
    )
    enqueue_on_commit(import_job_process, tenant.pk, job.pk)
    return job


def import_job_discard(*, tenant: Tenant, job_id: int, actor=None) -> str:
    """Delete an upload awaiting confirmation, and its file; returns the file's name."""
    with transaction.atomic():
        job = (
            ImportJob.objects.select_for_update()
            .filter(tenant=tenant, pk=job_id, status=ImportStatus.PREVIEW)
            .first()
        )
        if job is None:
            raise ImportPreviewError(_("This upload is no longer awaiting confirmation."))
        name, stored = job.original_filename, job.file.name
        audit_log(
            tenant=tenant,
            actor=actor,
            action="customers.import.discarded",
            data={"file": name, "rows": job.total_rows},
        )
        job.delete()
    if stored:
        ImportJob._meta.get_field("file").storage.delete(stored)
    return name


def import_job_claim(*, tenant: Tenant, job_id: int) -> bool:
    """Queued -> running, atomically; False when another worker (or a retry) already has it."""
    now = timezone.now()
    claimed = ImportJob.objects.filter(tenant=tenant, pk=job_id, status=ImportStatus.QUEUED).update(
        status=ImportStatus.RUNNING, started_at=now, heartbeat_at=now
    )
    return claimed == 1


@transaction.atomic
def import_job_resume(*, tenant: Tenant, job_id: int, actor=None) -> ImportJob:
    """Queue a stalled job (its worker died mid-file) to run the whole file again.

    Safe because writing is idempotent by external id: rows committed before the interruption
    come back as unchanged. The counters restart with the new pass. The conditional UPDATE
    makes a double click harmless: only one request finds the job still stalled.
    """
    stalled_before = timezone.now() - IMPORT_STALLED_AFTER
    resumed = (
        ImportJob.objects.filter(tenant=tenant, pk=job_id, status=ImportStatus.RUNNING)
        .filter(
            Q(heartbeat_at__lt=stalled_before)
            | Q(heartbeat_at__isnull=True, started_at__lt=stalled_before)
        )
        .update(
            status=ImportStatus.QUEUED,
            started_at=None,
            heartbeat_at=None,
            processed_rows=0,
            created_rows=0,
            updated_rows=0,
            unchanged_rows=0,
            rejected_rows=0,
            rejections=[],
            error="",
        )
    )
    # Imported here: tasks.py imports this module.
    from customers.tasks import import_job_process

    if resumed != 1:
        raise ImportResumeError(
            _("Only an import that has stopped making progress can be resumed.")
        )
    job = ImportJob.objects.get(tenant=tenant, pk=job_id)
    audit_log(tenant=tenant, actor=actor, action="customers.import.resumed", target=job)
    enqueue_on_commit(import_job_process, tenant.pk, job.pk)
    return job


def import_job_run(*, tenant: Tenant, job_id: int) -> ImportJob | None:
    """Run a queued job to the end; None when it was not ours to run."""
    if not import_job_claim(tenant=tenant, job_id=job_id):
        logger.info("Import job %s was already taken", job_id)
        return None
    job = ImportJob.objects.get(tenant=tenant, pk=job_id)
    try:
        # Reasons are stored as text: write them in the company's language, whichever
        # worker or command runs the import.
        with translation.override(tenant.default_language), job.file.open("rb") as raw:
            _import(job=job, tenant=tenant, raw=raw)
    except ImportFileError as exc:
        _finish(job, status=ImportStatus.FAILED, error=str(exc), analyze=True)
    except Exception:
        with translation.override(tenant.default_language):
            error = _("The import stopped on an unexpected error.")
        _finish(job, status=ImportStatus.FAILED, error=error)
        raise
    else:
        _finish(job, status=ImportStatus.DONE, analyze=True)
    job.refresh_from_db()
    audit_log(
        tenant=tenant,
        actor=job.created_by,
        action="customers.import.finished",
        target=job,
        data={
            "status": job.status,
            "created": job.created_rows,
            "updated": job.updated_rows,
            "unchanged": job.unchanged_rows,
            "rejected": job.rejected_rows,
        },
    )
    if job.kind == ImportKind.TRANSACTIONS:
        # Also after a failed job: its committed chunks hold real transactions.
        transactions_recorded(tenant_id=tenant.pk, import_job_id=job.pk)
    return job


def import_local_file(*, tenant: Tenant, kind: str, path: str, user=None) -> ImportJob:
    """The management commands' way in: the same job and the same code path, run in-process."""
    with open(path, "rb") as raw:
        file_format = import_file_check(kind=kind, raw=raw)
        raw.seek(0)
        with transaction.atomic():
            job = import_job_create(
                tenant=tenant,
                user=user,
                kind=kind,
                upload=File(raw, name=path),
                file_format=file_format,
                enqueue=False,
            )
    import_job_run(tenant=tenant, job_id=job.pk)
    job.refresh_from_db()
    return job


# The tables each kind of import writes to; ANALYZEd at the end of every job (issue 14: without
# statistics the planner takes a freshly loaded tenant for ten rows and picks quadratic plans).
WRITTEN_MODELS = {
    ImportKind.CUSTOMERS: (Customer, ConsentRecord),
    ImportKind.TRANSACTIONS: (Transaction,),
}


def _finish(job: ImportJob, *, status: str, error: str = "", analyze: bool = False) -> None:
    """End the job; with `analyze`, first refresh the statistics of what it wrote (also after
    a failure: the chunks committed before it hold real rows)."""
    seconds = None
    if analyze:
        tables = [model._meta.db_table for model in WRITTEN_MODELS[job.kind]]
        seconds = tables_analyze(tables=tables)
    ImportJob.objects.filter(tenant=job.tenant_id, pk=job.pk).update(
        status=status, error=error, finished_at=timezone.now(), analyze_seconds=seconds
    )


def _chunks(records: Iterator[tuple[int, list[str]]]) -> Iterator[list[tuple[int, list[str]]]]:
    chunk: list[tuple[int, list[str]]] = []
    for item in records:
        chunk.append(item)
        if len(chunk) == CHUNK_ROWS:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


@dataclass
class PreparedChunk:
    processed: int
    good: list[tuple[int, list[str], tuple]]
    rejections: list[dict]


class ChunkWriter:
    """Validates and writes chunks of one file, remembering external ids across chunks."""

    def __init__(
        self, *, job: ImportJob, tenant: Tenant, reader: RowReader, explain: bool = False
    ) -> None:
        self.job = job
        self.tenant = tenant
        self.reader = reader
        self.header = reader.header
        self.first_line_of: dict[str, int] = {}
        self.stored_rejections = 0
        self.updated_columns = reader.updated_columns
        # For the preview (a few rows): each line's values as read, and its reasons by field.
        self.explain = explain
        self.values: dict[int, tuple] = {}
        self.cell_errors: dict[int, dict[str, list[str]]] = {}

    def _cell_error(self, line: int, field: str, reason: str) -> None:
        if self.explain:
            self.cell_errors.setdefault(line, {}).setdefault(field, []).append(reason)

    def _rejection(self, line: int, record: list[str], reasons: list[str]) -> dict:
        names = [*self.header, *[""] * max(0, len(record) - len(self.header))]
        return {
            "line": line,
            "external_id": self.reader.external_id(record),
            "errors": reasons,
            "row": [[name, value] for name, value in zip(names, record, strict=False)],
        }

    def prepare(self, chunk: list[tuple[int, list[str]]]) -> PreparedChunk:
        """Validate a chunk (and find its customers): everything but the writing."""
        rejections: list[dict] = []
        good: list[tuple[int, list[str], tuple]] = []
        for line, record in chunk:
            if isinstance(record, UnreadableRecord):
                rejections.append(self._rejection(line, record, [record.reason]))
                continue
            try:
                row = self.reader.read(record)
            except RowRejected as exc:
                rejections.append(self._rejection(line, record, exc.reasons))
                if self.explain:
                    self.values[line], self.cell_errors[line] = exc.row, dict(exc.by_field)
                continue
            if self.explain:
                self.values[line] = row
            first_line = self.first_line_of.setdefault(row[0], line)
            if first_line != line:
                reason = _("The external id “%(id)s” already appeared on line %(line)d.") % {
                    "id": row[0],
                    "line": first_line,
                }
                rejections.append(self._rejection(line, record, [reason]))
                self._cell_error(line, "external_id", reason)
                continue
            good.append((line, record, row))

        if self.job.kind == ImportKind.TRANSACTIONS:
            good = self._resolve_customers(good, rejections)
        elif "referred_by" in self.reader.present:
            good = self._check_referrers(good, rejections)
        return PreparedChunk(processed=len(chunk), good=good, rejections=rejections)

    def store(self, prepared: PreparedChunk) -> None:
        """Write a prepared chunk and its progress in one transaction."""
        good, rejections = prepared.good, prepared.rejections

        with transaction.atomic():
            created, updated, written = self._write_good_rows(good, rejections)
            room = max(0, MAX_STORED_REJECTIONS - self.stored_rejections)
            stored = sorted(rejections, key=lambda rejection: rejection["line"])[:room]
            self.stored_rejections += len(stored)
            writing.record_chunk(
                tenant_id=self.tenant.pk,
                job_id=self.job.pk,
                counts={
                    "processed": prepared.processed,
                    "created": created,
                    "updated": updated,
                    "unchanged": written - created - updated,
                    "rejected": len(rejections),
                },
                rejections_json=json.dumps(stored, ensure_ascii=False),
            )

    def _write_rows(self, rows: list[tuple]) -> tuple[int, int]:
        if self.job.kind == ImportKind.CUSTOMERS:
            return writing.write_customers(
                tenant_id=self.tenant.pk,
                user_id=self.job.created_by_id,
                rows=rows,
                updated_columns=self.updated_columns,
                note=_("Import: %(file)s") % {"file": self.job.original_filename},
                link_referrals="referred_by" in self.reader.present,
            )
        return writing.write_transactions(
            tenant_id=self.tenant.pk,
            user_id=self.job.created_by_id,
            rows=rows,
            updated_columns=self.updated_columns,
            job_id=self.job.pk,
        )

    def _write_good_rows(self, good: list, rejections: list[dict]) -> tuple[int, int, int]:
        """Write the chunk in one statement. Should the database still refuse it (a rule only
        it can check, e.g. a partial update that breaks a constraint with the stored values),
        write row by row to keep the good rows and reject the others with the database's
        reason: slow, but only ever on a chunk with such a row."""
        if not good:
            return 0, 0, 0
        try:
            with transaction.atomic():
                created, updated = self._write_rows([row for _line, _record, row in good])
            return created, updated, len(good)
        except (IntegrityError, DataError):
            logger.info("Import job %s: chunk refused, writing row by row", self.job.pk)
        created = updated = written = 0
        for line, record, row in good:
            try:
                with transaction.atomic():
                    row_created, row_updated = self._write_rows([row])
            except (IntegrityError, DataError) as exc:
                reason = _("The database refused this row: %(error)s") % {
                    "error": str(exc).splitlines()[0]
                }
                rejections.append(self._rejection(line, record, [reason]))
                continue
            created, updated, written = created + row_created, updated + row_updated, written + 1
        return created, updated, written

    def _check_referrers(self, good: list, rejections: list[dict]) -> list:
        """A referrer must be in the file (this chunk or an earlier one) or already imported."""
        position = len(self.reader.FIELDS) - 1  # referred_by is the last field
        unseen = sorted(
            {row[position] for _l, _r, row in good if row[position]} - self.first_line_of.keys()
        )
        known = (
            writing.customer_ids(tenant_id=self.tenant.pk, external_ids=unseen) if unseen else {}
        )
        kept = []
        for line, record, row in good:
            referrer = row[position]
            if referrer and referrer not in self.first_line_of and referrer not in known:
                reason = _("No customer has the external id “%(id)s” (referred by).") % {
                    "id": referrer
                }
                rejections.append(self._rejection(line, record, [reason]))
                self._cell_error(line, "referred_by", reason)
                self.first_line_of.pop(row[0], None)
                continue
            kept.append((line, record, row))
        return kept

    def _resolve_customers(self, good: list, rejections: list[dict]) -> list:
        wanted = sorted({row[1] for _line, _record, row in good})
        ids = writing.customer_ids(tenant_id=self.tenant.pk, external_ids=wanted) if wanted else {}
        resolved = []
        for line, record, row in good:
            customer_id = ids.get(row[1])
            if customer_id is None:
                reason = _("No customer has the external id “%(id)s”.") % {"id": row[1]}
                rejections.append(self._rejection(line, record, [reason]))
                self._cell_error(line, "customer_external_id", reason)
                # Let a corrected row later in the file use this transaction id.
                self.first_line_of.pop(row[0], None)
                continue
            resolved.append((line, record, (row[0], customer_id, *row[2:])))
        return resolved


def _import(*, job: ImportJob, tenant: Tenant, raw: BinaryIO) -> None:
    if not (job.encoding and job.delimiter and job.total_rows):
        file_format = inspect_file(raw)
        job.encoding, job.delimiter = file_format.encoding, file_format.delimiter
        job.total_rows = file_format.total_rows
        job.save(update_fields=["encoding", "delimiter", "total_rows"])
    # The upload was checked when the job was created; no second pass over the file here.
    header, records = read_table(raw, encoding=job.encoding, delimiter=job.delimiter)
    positions = None
    if job.column_mapping is not None:
        if len(job.column_mapping) != len(header):
            raise ImportFileError(_("The file changed after it was checked."))
        positions = mapping_positions(job.kind, job.column_mapping)
    reader = reader_for(job.kind, tenant=tenant, header=header, positions=positions)
    writer = ChunkWriter(job=job, tenant=tenant, reader=reader)
    prepared = (writer.prepare(chunk) for chunk in _chunks(records))
    if connection.in_atomic_block:
        # Inside a caller's transaction another connection would not see its data: write
        # here, one chunk after the other.
        for chunk in prepared:
            writer.store(chunk)
    else:
        _store_in_background(prepared, writer.store)


def _store_in_background(prepared: Iterator[PreparedChunk], store) -> None:
    """Validate the next chunk while the database writes the previous one.

    Validation is Python (it holds the GIL); writing is mostly waiting for PostgreSQL (which
    releases it), so on two cores the two overlap and an import takes about as long as the
    slower half instead of their sum. The queue holds at most two chunks: memory stays flat.
    The writer thread has its own database connection, closed when it ends.
    """
    chunks: queue.Queue[PreparedChunk | None] = queue.Queue(maxsize=2)
    failure: list[BaseException] = []
    language = translation.get_language()

    def write_chunks() -> None:
        translation.activate(language)  # per thread, like the database connection
        try:
            while (chunk := chunks.get()) is not None:
                store(chunk)
        except BaseException as exc:  # handed to the main thread, which re-raises it
            failure.append(exc)
            while chunks.get() is not None:  # let the producer finish without blocking
                pass
        finally:
            connection.close()

    # In the caller's context: its tenant scope, which row-level security follows (crm/rls.py).
    context = contextvars.copy_context()
    writer = threading.Thread(
        target=context.run, args=(write_chunks,), name="import-writer", daemon=True
    )
    writer.start()
    try:
        for chunk in prepared:
            chunks.put(chunk)
            if failure:
                break
    finally:
        chunks.put(None)
        writer.join()
    if failure:
        raise failure[0]


def import_files_purge(*, tenant: Tenant, now=None) -> int:
    """Delete the uploaded files and rejected rows of the tenant's imports that ended more than
    CRM_IMPORT_RETENTION_DAYS ago (they hold personal data); counts and status stay. Returns how
    many jobs were purged. Safe to run twice: purged jobs are marked."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.CRM_IMPORT_RETENTION_DAYS)
    expired = ImportJob.objects.filter(
        Q(status__in=[ImportStatus.DONE, ImportStatus.FAILED], finished_at__lt=cutoff)
        # An upload never confirmed nor discarded holds the same data.
        | Q(status=ImportStatus.PREVIEW, created_at__lt=cutoff),
        tenant=tenant,
        purged_at__isnull=True,
    )
    with translation.override(tenant.default_language):
        never_confirmed = _("The upload was never confirmed; nothing was imported.")
    purged = 0
    for job in expired.only("id", "file", "status").iterator():
        if job.file:
            job.file.delete(save=False)  # storage first: a crash leaves the job to retry
        changes: dict = {"file": "", "rejections": [], "purged_at": now}
        if job.status == ImportStatus.PREVIEW:
            changes.update(status=ImportStatus.FAILED, error=never_confirmed, finished_at=now)
        ImportJob.objects.filter(tenant=tenant, pk=job.pk).update(**changes)
        purged += 1
    if purged:
        audit_log(
            tenant=tenant,
            actor=None,
            action="customers.import.files_purged",
            data={"jobs": purged, "retention_days": settings.CRM_IMPORT_RETENTION_DAYS},
        )
    return purged
