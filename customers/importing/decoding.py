"""Reading real-world CSV files: encoding and delimiter detection, and file-level errors.

Turkish spreadsheets arrive as UTF-8, UTF-8 with a BOM (Excel's "CSV UTF-8") or Windows-1254
(Excel's plain "CSV" on a Turkish Windows). We try UTF-8 strictly over the whole file first —
cp1254 decodes almost any byte sequence, so it can only be the fallback — and refuse files that
neither decodes, or that contain NUL bytes (spreadsheets, archives, images).

Records are read by `_records`, which survives an unbalanced quote: a cell that opens a quote
and never closes it would swallow the rows after it (up to the csv module's field limit, where
the whole file used to fail). Such a record — a cell spanning lines that holds the delimiter, or
a record short of the header's cells with the delimiter inside one — comes out as an
`UnreadableRecord` (rejected with a reason by the importers), and the lines after its first are
read again as rows of their own.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from django.utils.translation import gettext as _

_BLOCK = 1024 * 1024
DELIMITERS = (",", ";", "\t")
_SHOWN = 1000  # characters of a cell kept from a record that could not be read


class ImportFileError(Exception):
    """The file as a whole cannot be imported; the message is for the user."""


@dataclass(frozen=True)
class FileFormat:
    encoding: str  # "utf-8-sig" or "cp1254"
    delimiter: str
    header: list[str]
    total_rows: int  # data records, header excluded


class UnreadableRecord(list):
    """The cells of a record's first line, read literally, for a record that cannot be taken
    as one row; `reason` tells the user why (translated)."""

    def __init__(self, cells: list[str], reason: str) -> None:
        super().__init__(cells)
        self.reason = reason


class _Lines:
    """The physical lines of a text with their numbers (from 1); lines can be put back, to be
    read again by a new csv reader. `taken` holds the lines handed out since it was cleared:
    the csv reader asks for a line only when its record needs it."""

    def __init__(self, text: io.TextIOBase) -> None:
        self._text = text
        self._back: deque[tuple[int, str]] = deque()
        self._count = 0
        self.taken: list[tuple[int, str]] = []

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        if self._back:
            number, line = self._back.popleft()
        else:
            line = self._text.readline()
            if not line:
                raise StopIteration
            self._count += 1
            number = self._count
        self.taken.append((number, line))
        return line

    def put_back(self, lines: list[tuple[int, str]]) -> None:
        self._back.extendleft(reversed(lines))


def _line_break_in(cell: str) -> bool:
    return "\n" in cell or "\r" in cell


def _unbalanced(record: list[str], spans_lines: bool, delimiter: str, width: int) -> bool:
    """A quote opened and not closed where it should: a cell spanning lines that holds the
    delimiter (it swallowed rows), or fewer cells than the header with the delimiter in one
    (it swallowed cells). A quoted address on two lines, or "Kaya; Ltd." in full row, are fine."""
    if spans_lines and any(_line_break_in(cell) and delimiter in cell for cell in record):
        return True
    return 0 < len(record) < width and any(delimiter in cell for cell in record)


def _records(text: io.TextIOBase, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """(first line number, cells) for each record, the header first; blank records included.
    A record with an unbalanced quote, or a cell past the csv module's limit, comes out as an
    UnreadableRecord, and reading goes on from the line after its first."""
    lines = _Lines(text)
    width = 0
    while True:
        reader = csv.reader(lines, delimiter=delimiter)
        while True:
            lines.taken.clear()
            failed = None
            try:
                record = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                record, failed = [], str(error)
            taken = list(lines.taken)
            spans_lines = len(taken) > 1
            problem = None
            if (failed is not None and spans_lines) or (
                failed is None and width and _unbalanced(record, spans_lines, delimiter, width)
            ):
                # Past the field limit over several lines: a quote left open, too.
                problem = _(
                    'A quotation mark (") opens a cell on this line and is not closed, so '
                    "the line was not read as a row; the lines after it were read on their "
                    "own. Remove the quotation mark or close it."
                )
            elif failed is not None and "field larger than field limit" in failed:
                problem = _("A cell is longer than %(limit)d characters.") % {
                    "limit": csv.field_size_limit()
                }
            elif failed is not None:
                problem = _("This line is not valid CSV.")
            if problem is None:
                width = width or len(record)
                yield taken[0][0], record
                continue
            # The first line as typed, for the rejected-rows report (capped: it may be huge).
            literal = [cell[:_SHOWN] for cell in taken[0][1].rstrip("\r\n").split(delimiter)]
            yield taken[0][0], UnreadableRecord(literal, problem)
            lines.put_back(taken[1:])
            break  # a new reader, from the line after this record's first


def _decodes_as(raw: BinaryIO, encoding: str) -> bool:
    raw.seek(0)
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    try:
        while block := raw.read(_BLOCK):
            if b"\x00" in block:
                raise ImportFileError(
                    _("This is not a CSV text file (it contains binary data). Save it as CSV.")
                )
            decoder.decode(block)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def detect_encoding(raw: BinaryIO) -> str:
    if _decodes_as(raw, "utf-8-sig"):
        return "utf-8-sig"
    if _decodes_as(raw, "cp1254"):
        return "cp1254"
    raise ImportFileError(
        _(
            "The file's characters cannot be read. Save it as “CSV UTF-8” "
            "(or CSV for Turkish Windows) and try again."
        )
    )


def detect_delimiter(header_line: str) -> str:
    """The delimiter is whichever of , ; TAB occurs most in the header line (Sniffer guesses)."""
    unquoted = re.sub(r'"[^"]*"', "", header_line)  # a quoted header may contain a comma
    counts = {delimiter: unquoted.count(delimiter) for delimiter in DELIMITERS}
    best = max(counts, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


def text_stream(raw: BinaryIO, encoding: str) -> io.TextIOWrapper:
    raw.seek(0)
    # newline="" lets the csv module handle line breaks inside quoted cells.
    return io.TextIOWrapper(raw, encoding=encoding, newline="")


def inspect_file(raw: BinaryIO) -> FileFormat:
    """Check a whole file (encoding, binary content, emptiness) and count its data rows."""
    encoding = detect_encoding(raw)
    text = text_stream(raw, encoding)
    try:
        first_line = text.readline()
        while first_line and not first_line.strip():
            first_line = text.readline()
        if not first_line.strip():
            raise ImportFileError(_("The file is empty."))
        delimiter = detect_delimiter(first_line)
        text.seek(0)
        records = (cells for _line, cells in _records(text, delimiter) if "".join(cells).strip())
        header = next(records)
        total = sum(1 for _cells in records)
    finally:
        text.detach()
    if total == 0:
        raise ImportFileError(_("The file has a header line but no data rows."))
    return FileFormat(encoding=encoding, delimiter=delimiter, header=header, total_rows=total)


def read_table(
    raw: BinaryIO, *, encoding: str, delimiter: str
) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """The header, and (line number, cells) for each non-empty data record after it. Line
    numbers are the physical lines a spreadsheet shows (the header is usually line 1), where
    a record starts. A record that cannot be read as a row is an UnreadableRecord: reject it
    with its `reason`."""
    text = text_stream(raw, encoding)

    def records() -> Iterator[tuple[int, list[str]]]:
        try:
            for start, record in _records(text, delimiter):
                if "".join(record).strip():
                    yield start, record
        except UnicodeDecodeError as exc:
            raise ImportFileError(_("The file changed after it was checked.")) from exc

    data = records()
    first = next(data, None)
    if first is None:
        raise ImportFileError(_("The file is empty."))
    return first[1], data
