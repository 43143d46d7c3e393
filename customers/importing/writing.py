"""Writing one validated chunk, set-based: COPY into a staging table, then one upsert.

Called inside the chunk's transaction (see service.py); returns (created, updated). Rows the
upsert neither created nor updated were unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import connection

from customers.importing import sql


def _run(statement, params: dict, staging: str) -> tuple[int, int]:
    with connection.cursor() as cursor:
        cursor.execute(statement.as_string(connection.connection), params)
        created, updated = cursor.fetchone()
        cursor.execute(sql.drop_staging(staging).as_string(connection.connection))
    return int(created), int(updated)


def _stage(table: str, columns: dict[str, str], rows: Iterable[Sequence]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql.create_staging(table, columns).as_string(connection.connection))
        with cursor.copy(sql.copy_into(table, columns).as_string(connection.connection)) as copy:
            for row in rows:
                copy.write_row(row)


def write_customers(
    *,
    tenant_id: int,
    user_id: int | None,
    rows: list[tuple],
    updated_columns: list[str],
    note: str,
    link_referrals: bool,
) -> tuple[int, int]:
    _stage(sql.CUSTOMER_STAGING, sql.CUSTOMER_COLUMNS, rows)
    params = {"tenant": tenant_id, "user": user_id, "note": note}
    with connection.cursor() as cursor:
        cursor.execute(
            sql.upsert_customers(updated_columns).as_string(connection.connection), params
        )
        created, updated, written_ids = cursor.fetchone()
        if link_referrals:
            cursor.execute(sql.LINK_REFERRALS, params)
            # A row whose only change is its referrer was "unchanged" for the upsert.
            updated += len({customer_id for (customer_id,) in cursor.fetchall()} - set(written_ids))
        cursor.execute(sql.drop_staging(sql.CUSTOMER_STAGING).as_string(connection.connection))
    return int(created), int(updated)


def write_transactions(
    *,
    tenant_id: int,
    user_id: int | None,
    rows: list[tuple],
    updated_columns: list[str],
    job_id: int | None = None,
) -> tuple[int, int]:
    _stage(sql.TRANSACTION_STAGING, sql.TRANSACTION_COLUMNS, rows)
    return _run(
        sql.upsert_transactions(updated_columns),
        {"tenant": tenant_id, "user": user_id, "job": job_id},
        sql.TRANSACTION_STAGING,
    )


def customer_ids(*, tenant_id: int, external_ids: list[str]) -> dict[str, int]:
    """One query per chunk: the customers the chunk's transactions refer to."""
    with connection.cursor() as cursor:
        cursor.execute(
            sql.CUSTOMER_IDS_BY_EXTERNAL_ID, {"tenant": tenant_id, "external_ids": external_ids}
        )
        return dict(cursor.fetchall())


def record_chunk(*, tenant_id: int, job_id: int, counts: dict[str, int], rejections_json: str):
    with connection.cursor() as cursor:
        cursor.execute(
            sql.RECORD_CHUNK,
            {**counts, "tenant": tenant_id, "job": job_id, "rejections": rejections_json},
        )
