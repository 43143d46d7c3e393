"""Reading real-world CSV files: encoding and delimiter detection, and file-level errors.

Turkish spreadsheets arrive as UTF-8, UTF-8 with a BOM (Excel's "CSV UTF-8") or Windows-1254
(Excel's plain "CSV" on a Turkish Windows). We try UTF-8 strictly over the whole file first —
cp1254 decodes almost any byte sequence, so it can only be the fallback — and refuse files that
neither decodes, or that contain NUL bytes (spreadsheets, archives, images).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from django.utils.translation import gettext as _

_BLOCK = 1024 * 1024
DELIMITERS = (",", ";", "\t")


class ImportFileError(Exception):
    """The file as a whole cannot be imported; the message is for the user."""


@dataclass(frozen=True)
class FileFormat:
    encoding: str  # "utf-8-sig" or "cp1254"
    delimiter: str
    header: list[str]
    total_rows: int  # data records, header excluded


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
        header = next(csv.reader([first_line], delimiter=delimiter))
        total = sum(
            1 for record in csv.reader(text, delimiter=delimiter) if "".join(record).strip()
        )
    except csv.Error as exc:
        raise ImportFileError(_("The file is not valid CSV: %(error)s") % {"error": exc}) from exc
    finally:
        text.detach()
    if total == 0:
        raise ImportFileError(_("The file has a header line but no data rows."))
    return FileFormat(encoding=encoding, delimiter=delimiter, header=header, total_rows=total)


def read_table(
    raw: BinaryIO, *, encoding: str, delimiter: str
) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """The header, and (line number, cells) for each non-empty data record after it. Line
    numbers are the physical lines a spreadsheet shows (the header is usually line 1)."""
    text = text_stream(raw, encoding)
    reader = csv.reader(text, delimiter=delimiter)

    def records() -> Iterator[tuple[int, list[str]]]:
        previous_end = 0
        try:
            for record in reader:
                # reader.line_num is where a record ends (a quoted cell may span lines);
                # a user looks for the line where it starts.
                start, previous_end = previous_end + 1, reader.line_num
                if "".join(record).strip():
                    yield start, record
        except UnicodeDecodeError as exc:
            raise ImportFileError(_("The file changed after it was checked.")) from exc
        except csv.Error as exc:
            raise ImportFileError(
                _("The file is not valid CSV: %(error)s") % {"error": exc}
            ) from exc

    data = records()
    first = next(data, None)
    if first is None:
        raise ImportFileError(_("The file is empty."))
    return first[1], data
