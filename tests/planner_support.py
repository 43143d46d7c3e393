"""Helpers for tests of plans over a tenant's rows (issue 14)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection

from crm.rls import owner_mode


def statistics_reset(tables: Iterable[str]) -> None:
    """The tables as if never analyzed: no column statistics, row count unknown. Needs a
    superuser, as the test database's `postgres` is (the owner, not the app's role); the test's
    transaction undoes it."""
    with owner_mode(), connection.cursor() as cursor:
        for table in tables:
            cursor.execute("DELETE FROM pg_statistic WHERE starelid = %s::regclass", [table])
            cursor.execute(
                "UPDATE pg_class SET reltuples = -1, relpages = 0 WHERE oid = %s::regclass",
                [table],
            )
