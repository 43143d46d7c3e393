"""The RFM summary of a run: the temporary table pred_summary, one row per summarised customer
(prediction/sql/summary.sql), which the fits and the predictions read.

Grouping ten million purchases into purchase days is CPU work for one database process. A
large tenant is summarised in parts (customers split by id) on as many connections at once,
each in its own thread: PostgreSQL's own parallel query does not help here (the grouping per
purchase day and then per customer is finished by the leader alone). Every part reads the
snapshot the run's transaction exported, so together they see exactly what one statement in
the run would have seen; their rows come back in COPY's binary format and go into the run's
table unchanged.
"""

from __future__ import annotations

import contextvars
import itertools
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta

from django.db import connection
from psycopg import sql as psycopg_sql

from crm.models import Tenant
from crm.whole_tenant import planner_settings, planner_settings_set
from prediction import sql

# Parts of a large tenant's summary computed at once (one connection and one core each).
SUMMARY_PARTS = 2
# Below this many purchases (estimated from a sample) a tenant is summarised in the run's own
# connection: extra connections would cost more than they save.
PARTS_FROM_PURCHASES = 200_000
# Pages of the transactions read for the sample that splits the customers into parts of about
# as many purchases each (a few milliseconds; the split need not be exact).
SAMPLE_PAGES = 2_000
# Customer ids are positive bigints: the first part starts below them, the last ends above.
ID_BEFORE_ALL, ID_AFTER_ALL = 0, 2**63 - 1

SUMMARY_TABLE = (
    "CREATE TEMP TABLE pred_summary (customer_id bigint, frequency int, recency int, age int,"
    " monetary numeric) ON COMMIT DROP"
)
# For the summary statement only: the grouping sorts, faster in memory. And its plan must
# walk the transactions' customer index over its range of customers, also on a fresh import
# (never analyzed), where the planner would otherwise pair that index with the whole
# tenant's bitmap or probe the customers once per purchase; parallel workers would only
# crowd the cores the parts already use; JIT would compile a statement priced per purchase.
SUMMARY_SETTINGS = {
    "work_mem": "256MB",
    "enable_bitmapscan": "off",
    "enable_nestloop": "off",
    "max_parallel_workers_per_gather": "0",
    "jit": "off",
}


def local_day_end(*, tenant: Tenant, day: date) -> datetime:
    """The first moment after `day` in the tenant's time zone (transactions before it count)."""
    return datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=tenant.zone)


def summary_create(*, tenant: Tenant, as_of: date, parts: int = SUMMARY_PARTS) -> None:
    """Create the temporary table pred_summary for the reference date (see summary.sql).

    A tenant with PARTS_FROM_PURCHASES purchases or more is summarised in `parts` parts at
    once, on their own connections. They need the run's transaction to be a top-level one (a
    snapshot cannot be exported from a savepoint) and see committed purchases only; inside
    a savepoint (tests) the run's own connection does it all.
    """
    parameters = {
        "tenant": tenant.pk,
        "timezone": tenant.timezone,
        "as_of": as_of,
        "until": local_day_end(tenant=tenant, day=as_of),
    }
    bounds = None if connection.savepoint_ids else _part_bounds(tenant=tenant, parts=parts)
    with connection.cursor() as cursor:
        cursor.execute(SUMMARY_TABLE)
        if bounds is None:
            with planner_settings(SUMMARY_SETTINGS):
                cursor.execute(
                    f"INSERT INTO pred_summary {sql.statement('summary')}",
                    {
                        **parameters,
                        "first_customer": ID_BEFORE_ALL,
                        "after_customer": ID_AFTER_ALL,
                    },
                )
        else:
            cursor.execute("SELECT pg_export_snapshot()")
            (snapshot,) = cursor.fetchone()
            _parts_insert(parameters=parameters, bounds=bounds, snapshot=snapshot)
        cursor.execute("ANALYZE pred_summary")


def _part_bounds(*, tenant: Tenant, parts: int) -> list[int] | None:
    """Customer ids that split the tenant's purchases into `parts` ranges of about as many
    purchases each (from a sample of the transactions' pages); None for a tenant with fewer
    than PARTS_FROM_PURCHASES purchases, or when one part is asked."""
    if parts < 2:
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT least(100, 100.0 * %s / greatest(1, pg_relation_size('customers_transaction')"
            " / current_setting('block_size')::int))",
            [SAMPLE_PAGES],
        )
        (percent,) = cursor.fetchone()
        cursor.execute(
            "SELECT count(*), percentile_disc(%(fractions)s::float8[]) "
            "WITHIN GROUP (ORDER BY customer_id) "
            "FROM customers_transaction TABLESAMPLE SYSTEM (%(percent)s) REPEATABLE (0) "
            "WHERE tenant_id = %(tenant)s",
            {
                "fractions": [part / parts for part in range(1, parts)],
                "percent": percent,
                "tenant": tenant.pk,
            },
        )
        sampled, splits = cursor.fetchone()
    if sampled * 100 / float(percent) < PARTS_FROM_PURCHASES:
        return None
    return [ID_BEFORE_ALL, *splits, ID_AFTER_ALL]


def _parts_insert(*, parameters: dict, bounds: list[int], snapshot: str) -> None:
    """Compute the parts on their own connections at once; copy their rows into pred_summary."""
    ranges = list(itertools.pairwise(bounds))
    # Each thread runs in a copy of the caller's context: its tenant scope, which row-level
    # security follows (crm/rls.py).
    with ThreadPoolExecutor(max_workers=len(ranges), thread_name_prefix="summary") as pool:
        futures = [
            pool.submit(
                contextvars.copy_context().run,
                _part_rows,
                parameters={**parameters, "first_customer": first, "after_customer": after},
                snapshot=snapshot,
            )
            for first, after in ranges
        ]
        bodies = [future.result() for future in futures]
    with (
        connection.cursor() as cursor,
        cursor.copy("COPY pred_summary FROM STDIN (FORMAT binary)") as copy,
    ):
        copy.write(sql.BINARY_HEADER)
        for body in bodies:
            copy.write(body)
        copy.write(sql.BINARY_TRAILER)


def _part_rows(*, parameters: dict, snapshot: str) -> memoryview:
    """One part's rows in COPY's binary format, without header and trailer, read on this
    thread's own connection in the exported snapshot."""
    buffer = bytearray()
    try:
        with connection.cursor() as cursor:
            cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            cursor.execute(
                psycopg_sql.SQL("SET TRANSACTION SNAPSHOT {}")
                .format(psycopg_sql.Literal(snapshot))
                .as_string(connection.connection)
            )
            planner_settings_set(SUMMARY_SETTINGS)
            statement = f"COPY ({sql.statement('summary')}) TO STDOUT (FORMAT binary)"
            with cursor.copy(statement, parameters) as copy:
                for block in copy:
                    buffer += block
            cursor.execute("COMMIT")
    finally:
        connection.close()
    return sql.binary_body(buffer)
