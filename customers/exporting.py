"""CSV export of the (filtered) customer list and of transactions, streamed row by row.

* Memory stays flat with a million rows: `values_list(...).iterator(chunk_size=...)` reads
  through a server-side cursor, and each CSV line is yielded as soon as it is written.
* Spreadsheet formula injection: `csv_lines` is the one writer of every CSV the product hands
  out (customers, transactions, rejected import rows, templates, and any later export: build
  rows of plain values and pass them to `csv_lines` with a `CsvStyle`). It sends every cell,
  the header's included and whatever its type (a joined list too), through `safe_cell`: a cell
  starting with = + - @ TAB or CR is prefixed with an apostrophe, so Excel/LibreOffice show it
  as text instead of running it (plain negative numbers are left alone). Our import strips that
  apostrophe again.
* Accountability (KVKK): `audited` wraps the lines of an export of personal data and, when the
  download ends, records who took it, with which filter, and how many rows.
* Excel: UTF-8 with a BOM so Turkish letters show; "Turkish Excel" uses semicolons, decimal
  commas and dd.mm.yyyy dates. The headers are the import's column names, so an exported file
  imports back unchanged.
"""

from __future__ import annotations

import csv
import re
import zoneinfo
from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django_scopes import scope

from crm.audit import audit_log
from crm.models import Tenant
from customers.importing.columns import CUSTOMER_COLUMNS, TRANSACTION_COLUMNS
from customers.list_extensions import column_values, list_columns
from customers.models import Transaction
from customers.selectors import customer_list

BOM = "\ufeff"
CHUNK_SIZE = 2_000
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# ASCII digits only, to the very end (a "$" would let "-1\n" through).
_NEGATIVE_NUMBER = re.compile(r"-[0-9]+(?:[.,][0-9]+)?")


def safe_cell(text: str) -> str:
    """`text` as a spreadsheet shows it, never run as a formula."""
    if text.startswith(_FORMULA_START) and not _NEGATIVE_NUMBER.fullmatch(text):
        return "'" + text
    return text


class CsvStyle:
    """How values are written: international (comma, 1234.56, 2024-03-15) or Turkish Excel
    (semicolon, 1234,56, 15.03.2024)."""

    def __init__(
        self, *, turkish_excel: bool, zone: zoneinfo.ZoneInfo, turkish: bool | None = None
    ) -> None:
        self.delimiter = ";" if turkish_excel else ","
        self.turkish_excel = turkish_excel
        # Words (yes/no) in Turkish: for a Turkish-speaking user, or a Turkish Excel file.
        self.turkish = turkish_excel if turkish is None else turkish
        self.zone = zone

    def cell(self, value: Any) -> str:
        """The cell's text for `value`, safe for a spreadsheet."""
        return safe_cell(self._text(value))

    def _text(self, value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, bool):
            if self.turkish:
                return "evet" if value else "hayır"
            return "yes" if value else "no"
        if isinstance(value, Decimal):
            text = f"{value:f}"
            return text.replace(".", ",") if self.turkish_excel else text
        if isinstance(value, datetime):
            local = value.astimezone(self.zone)
            return local.strftime("%d.%m.%Y %H:%M" if self.turkish_excel else "%Y-%m-%d %H:%M")
        if isinstance(value, date):
            return value.strftime("%d.%m.%Y" if self.turkish_excel else "%Y-%m-%d")
        if isinstance(value, list | tuple):
            return "|".join(str(item) for item in value)
        return str(value)


class _Line:
    """A file-like object for csv.writer that hands back what was written."""

    def write(self, text: str) -> str:
        return text


def csv_lines(header: list[str], rows: Iterable[Iterable[Any]], style: CsvStyle) -> Iterator[str]:
    """The CSV file, one line at a time (the first with the BOM), for a StreamingHttpResponse.

    `rows` holds plain values (str, int, Decimal, date, datetime, bool, None, list of str);
    `style` formats them. Every cell, the header's too, passes through `safe_cell`.
    """
    writer = csv.writer(_Line(), delimiter=style.delimiter, lineterminator="\r\n")
    yield BOM + writer.writerow([safe_cell(str(name)) for name in header])
    cell = style.cell
    for row in rows:
        yield writer.writerow([cell(value) for value in row])


def audited(
    lines: Iterable[str], *, tenant: Tenant, actor: Any, action: str, details: dict[str, Any]
) -> Iterator[str]:
    """Hand on the lines of `csv_lines`; when the download ends, finished or broken off, write
    the audit entry `action` with `details` (the filter), the data rows sent and whether the
    file was complete. `actor` is the user, or None for a command run by the operator."""
    rows = -1  # the first line is the header; csv_lines yields one line per row
    complete = False
    try:
        for line in lines:
            rows += 1
            yield line
        complete = True
    finally:
        audit_log(
            tenant=tenant,
            actor=actor,
            action=action,
            data={**details, "rows": max(rows, 0), "complete": complete},
        )


def filter_details(params: Mapping[str, Any]) -> dict[str, Any]:
    """A query string's filters as the audit trail keeps them (repeated names as lists)."""
    lists = params.lists() if hasattr(params, "lists") else ((k, [v]) for k, v in params.items())
    return {name: values[0] if len(values) == 1 else values for name, values in lists if values}


_CUSTOMER_HEADER = [column.name for column in CUSTOMER_COLUMNS]
# Looked-up columns are written the way the import reads them back.
_CUSTOMER_VALUES = [
    {"owner": "owner__username", "referred_by": "referred_by__external_id"}.get(name, name)
    for name in _CUSTOMER_HEADER
]


def customer_export_lines(
    *,
    tenant: Tenant,
    actor: Any,
    params: Mapping[str, Any],
    turkish_excel: bool,
    turkish: bool = False,
    role: str | None = None,
) -> Iterator[str]:
    """The customers the list shows for `params` (same filters, search and order), audited as
    customers.customers.exported. With `turkish` (the user reads Turkish) the headers are the
    import's Turkish column names and yes/no are evet/hayır; the list's value columns the role
    may see (tier, score, revenue, ...) follow the import's columns."""
    lines = _customer_lines(
        tenant=tenant, params=params, turkish_excel=turkish_excel, turkish=turkish, role=role
    )
    details = {"filter": filter_details(params)}
    return audited(
        lines, tenant=tenant, actor=actor, action="customers.customers.exported", details=details
    )


def _customer_lines(
    *,
    tenant: Tenant,
    params: Mapping[str, Any],
    turkish_excel: bool,
    turkish: bool = False,
    role: str | None = None,
) -> Iterator[str]:
    style = CsvStyle(turkish_excel=turkish_excel, zone=tenant.zone, turkish=turkish)
    extras = [column for column in list_columns(role=role) if column.export is not None]
    # The header is made now, in the request's language (the lines are read after the view).
    header = [column.turkish if turkish else column.name for column in CUSTOMER_COLUMNS]
    header += [str(column.label) for column in extras]
    return _customer_rows(tenant=tenant, params=params, style=style, header=header, extras=extras)


def _customer_rows(*, tenant, params, style, header, extras) -> Iterator[str]:
    # A streaming response is consumed after the view (and the middleware's scope) returned.
    with scope(tenant=tenant):
        rows = (
            customer_list(tenant=tenant, params=params)
            .values_list("pk", *_CUSTOMER_VALUES)
            .iterator(chunk_size=CHUNK_SIZE)
        )
        yield from csv_lines(header, _with_extras(rows, tenant=tenant, extras=extras), style)


def _with_extras(rows: Iterator[tuple], *, tenant: Tenant, extras: list) -> Iterator[list]:
    """The rows without their leading id, followed by the value columns' cells: loaded per
    chunk of CHUNK_SIZE customers, one query per loader (never one per row)."""
    chunk: list[tuple] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == CHUNK_SIZE:
            yield from _chunk_with_extras(chunk, tenant=tenant, extras=extras)
            chunk = []
    if chunk:
        yield from _chunk_with_extras(chunk, tenant=tenant, extras=extras)


def _chunk_with_extras(chunk: list[tuple], *, tenant: Tenant, extras: list) -> Iterator[list]:
    values = column_values(tenant=tenant, customer_ids=[row[0] for row in chunk], columns=extras)
    for row in chunk:
        cells = [column.export(values[column.key].get(row[0])) for column in extras]
        yield [*row[1:], *cells]


_TRANSACTION_VALUES = {
    "external_id": "external_id",
    "customer_external_id": "customer__external_id",
    "occurred_at": "occurred_at",
    "amount": "amount",
    "cost": "cost",
    "currency": "currency",
    "category": "category__name",
    "product_code": "product__sku",
    "channel": "channel",
    "quantity": "quantity",
    "status": "status",
    "kind": "kind",
    "due_date": "due_date",
    "paid_date": "paid_date",
}
assert list(_TRANSACTION_VALUES) == [column.name for column in TRANSACTION_COLUMNS]


def transaction_export_lines(
    *,
    tenant: Tenant,
    actor: Any,
    date_from: date | None,
    date_to: date | None,
    turkish_excel: bool,
) -> Iterator[str]:
    """Transactions in [date_from, date_to] (the tenant's calendar days), oldest first; the
    customer's name is added at the end for people reading the file (the import ignores it).
    Audited as customers.transactions.exported."""
    lines = _transaction_lines(
        tenant=tenant, date_from=date_from, date_to=date_to, turkish_excel=turkish_excel
    )
    details = {
        "filter": {
            "date_from": date_from.isoformat() if date_from else None,
            "date_to": date_to.isoformat() if date_to else None,
        }
    }
    return audited(
        lines, tenant=tenant, actor=actor, action="customers.transactions.exported", details=details
    )


def _transaction_lines(
    *, tenant: Tenant, date_from: date | None, date_to: date | None, turkish_excel: bool
) -> Iterator[str]:
    zone = tenant.zone
    style = CsvStyle(turkish_excel=turkish_excel, zone=zone)
    with scope(tenant=tenant):
        transactions = Transaction.objects.filter(tenant=tenant)
        if date_from:
            start = datetime.combine(date_from, datetime.min.time(), tzinfo=zone)
            transactions = transactions.filter(occurred_at__gte=start)
        if date_to:
            end = datetime.combine(date_to, datetime.max.time(), tzinfo=zone)
            transactions = transactions.filter(occurred_at__lte=end)
        rows = (
            transactions.order_by("occurred_at", "id")
            .values_list(*_TRANSACTION_VALUES.values(), "customer__display_name")
            .iterator(chunk_size=CHUNK_SIZE)
        )
        yield from csv_lines([*_TRANSACTION_VALUES, "customer_name"], rows, style)


def csv_download(lines: Iterable[str], filename: str):
    """A streamed CSV download of `lines` (from csv_lines): an attachment, never sniffed as a
    page. Every export view answers with this."""
    from django.http import StreamingHttpResponse

    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
