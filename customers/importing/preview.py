"""The import preview: how each header of an uploaded file is understood, and its first rows
as the import would read them, before anything is written.

The rows go through the import's own validation (ChunkWriter.prepare, read-only: the reader,
the repeated-id check, the customer and referrer look-ups), so a cell marked wrong here is
rejected by the import for the same reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from itertools import islice

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from crm.models import Tenant
from customers.importing.columns import COLUMNS_BY_KIND, HeaderMatch, match_header
from customers.importing.decoding import UnreadableRecord, read_table
from customers.importing.rows import reader_for
from customers.importing.service import ChunkWriter
from customers.models import Customer, ImportJob, ImportKind, Transaction

PREVIEW_ROWS = 10
MONEY_FIELDS = frozenset({"amount", "cost"})  # shown with two decimals, like the list
_MODELS: dict[str, type[models.Model]] = {
    ImportKind.CUSTOMERS: Customer,
    ImportKind.TRANSACTIONS: Transaction,
}


@dataclass
class PreviewCell:
    text: str  # as written in the file
    field: str  # the field it goes to; "" when the column is ignored
    value: str = ""  # the value the import writes, as shown to the user
    errors: list[str] = field(default_factory=list)


@dataclass
class PreviewRow:
    line: int
    cells: list[PreviewCell]
    errors: list[str]  # every reason the import would reject the row for

    @property
    def rejected(self) -> bool:
        return bool(self.errors)


@dataclass
class ImportPreview:
    header: list[str]
    matches: list[HeaderMatch]
    rows: list[PreviewRow]


def _choice_labels(kind: str) -> dict[str, dict[str, str]]:
    model = _MODELS[kind]
    labels = {}
    for column in COLUMNS_BY_KIND[kind]:
        try:
            model_field = model._meta.get_field(column.name)
        except FieldDoesNotExist:
            continue
        if model_field.choices:
            labels[column.name] = {
                str(value): str(label) for value, label in model_field.flatchoices
            }
    return labels


def _shown(value, *, name: str, text: str, choices: dict[str, str] | None, tenant: Tenant) -> str:
    if value is None or value == "" or value == []:
        return ""
    if choices is not None:
        return choices.get(str(value), str(value))
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, Decimal):
        places = 2 if name in MONEY_FIELDS else None
        return formats.number_format(value, decimal_pos=places, force_grouping=True)
    if isinstance(value, datetime):
        return formats.date_format(timezone.localtime(value, tenant.zone), "SHORT_DATETIME_FORMAT")
    if isinstance(value, date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    if isinstance(value, list):
        return ", ".join(value)
    if isinstance(value, int):  # an id looked up from the cell (owner, category...)
        return text
    return str(value)


def import_preview(
    *, tenant: Tenant, job: ImportJob, mapping: list[str] | None = None
) -> ImportPreview:
    """The header's matches and the first PREVIEW_ROWS rows read with `mapping` (the field of
    each header, "" for ignored or undecided; None: the fields the headers name)."""
    with job.file.open("rb") as raw:
        header, records = read_table(raw, encoding=job.encoding, delimiter=job.delimiter)
        first = list(islice(records, PREVIEW_ROWS))
    matches = match_header(job.kind, header)
    if mapping is None or len(mapping) != len(header):
        mapping = [match.field for match in matches]
    positions = {name: position for position, name in enumerate(mapping) if name}
    reader = reader_for(job.kind, tenant=tenant, header=header, positions=positions)
    writer = ChunkWriter(job=job, tenant=tenant, reader=reader, explain=True)
    prepared = writer.prepare(first)
    reasons = {rejection["line"]: rejection["errors"] for rejection in prepared.rejections}
    choices = _choice_labels(job.kind)
    field_index = {name: index for index, name in enumerate(reader.FIELDS)}

    rows = []
    for line, record in first:
        values = writer.values.get(line, ())
        errors_by_field = writer.cell_errors.get(line, {})
        cells = []
        for position in range(max(len(header), len(record))):
            text = record[position] if position < len(record) else ""
            name = mapping[position] if position < len(mapping) else ""
            cell = PreviewCell(text=text, field=name, errors=errors_by_field.get(name, []))
            if name and not cell.errors and not isinstance(record, UnreadableRecord) and values:
                cell.value = _shown(
                    values[field_index[name]],
                    name=name,
                    text=text.strip(),
                    choices=choices.get(name),
                    tenant=tenant,
                )
            cells.append(cell)
        rows.append(PreviewRow(line=line, cells=cells, errors=reasons.get(line, [])))
    return ImportPreview(header=header, matches=matches, rows=rows)
