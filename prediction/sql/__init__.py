"""The prediction app's SQL, in one place: static statements in the .sql files next to this
module, read once. Every value travels as a query parameter (psycopg `%(name)s`).

Whole columns move between PostgreSQL and numpy in their binary forms: in with COPY's binary
format (`arrays_in`), out as one bytea per column (`arrays_out`). A million rows parse or pack
in milliseconds as numpy arrays, where fetching tuples (or writing a row at a time) took
seconds. Only NOT NULL int4, int8 and float8 columns travel this way (cast in the
statement), so every value has the same width.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
from django.db import connection
from psycopg import sql as psycopg_sql

_HERE = Path(__file__).resolve().parent

# PostgreSQL's binary COPY: signature, flags (0), header extension length (0) ... rows ...
# trailer (-1). A row: the field count (int16), then per field its length (int32) and value.
BINARY_HEADER = b"PGCOPY\n\xff\r\n\x00" + bytes(8)
BINARY_TRAILER = b"\xff\xff"
_TYPES = {"int4": (">i4", 4), "int8": (">i8", 8), "float8": (">f8", 8)}
_SEND = {"int4": "int4send", "int8": "int8send", "float8": "float8send"}


@cache
def statement(name: str) -> str:
    return (_HERE / f"{name}.sql").read_text()


def binary_body(data: bytes | bytearray) -> memoryview:
    """The rows of a binary COPY's output, without its header and trailer (to be copied
    into a table with the same column types, between one header and one trailer)."""
    if not data.startswith(BINARY_HEADER) or not data.endswith(BINARY_TRAILER):
        raise ValueError("unexpected COPY header or trailer")
    return memoryview(data)[len(BINARY_HEADER) : -len(BINARY_TRAILER)]


def _row_type(types: Sequence[str]) -> np.dtype:
    fields: list[tuple[str, str]] = [("count", ">i2")]
    for index, type_name in enumerate(types):
        fields += [(f"size{index}", ">i4"), (f"value{index}", _TYPES[type_name][0])]
    return np.dtype(fields)


def arrays_out(
    query: str, types: Sequence[str], params: Mapping[str, Any] | None = None
) -> list[np.ndarray]:
    """The query's columns as numpy arrays (native byte order), one per entry of `types`.

    Each column comes as one bytea, its values' binary forms end to end (string_agg of
    int4send...): a COPY sends a message per row, which psycopg hands over one at a time
    (1.5 million of them took seconds of the fit at 1,000,000 customers).
    """
    names = [f"column{index}" for index in range(len(types))]
    aggregates = ", ".join(
        f"coalesce(string_agg({_SEND[type_name]}({name}), ''::bytea), ''::bytea)"
        for name, type_name in zip(names, types, strict=True)
    )
    statement = f"SELECT count(*), {aggregates} FROM (\n{query}\n) AS selected ({', '.join(names)})"
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        count, *columns = cursor.fetchone()
    arrays = []
    for type_name, column in zip(types, columns, strict=True):
        dtype, size = _TYPES[type_name]
        # string_agg leaves NULLs out: the column would be short and its rows shifted.
        if len(column) != count * size:
            raise ValueError(f"the columns are not NOT NULL {', '.join(types)}")
        values = np.frombuffer(column, dtype=dtype)
        arrays.append(values.astype(values.dtype.newbyteorder("=")))
    return arrays


def arrays_in(table: str, columns: Sequence[tuple[str, str, np.ndarray]]) -> None:
    """COPY the arrays into `table`: columns are (name, int4 | int8 | float8, array)."""
    types = [type_name for _name, type_name, _values in columns]
    rows = np.empty(len(columns[0][2]), dtype=_row_type(types))
    rows["count"] = len(columns)
    for index, (_name, type_name, values) in enumerate(columns):
        rows[f"size{index}"] = _TYPES[type_name][1]
        rows[f"value{index}"] = values
    statement = psycopg_sql.SQL("COPY {} ({}) FROM STDIN (FORMAT binary)").format(
        psycopg_sql.Identifier(table),
        psycopg_sql.SQL(", ").join(psycopg_sql.Identifier(name) for name, _t, _v in columns),
    )
    with connection.cursor() as cursor, cursor.copy(statement) as copy:
        copy.write(BINARY_HEADER + rows.tobytes() + BINARY_TRAILER)
