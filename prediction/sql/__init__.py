"""The prediction app's SQL, in one place: static statements in the .sql files next to this
module, read once. Every value travels as a query parameter (psycopg `%(name)s`)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

_HERE = Path(__file__).resolve().parent


@cache
def statement(name: str) -> str:
    return (_HERE / f"{name}.sql").read_text()
