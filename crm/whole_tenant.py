"""Statements that read all of a tenant's rows: plans that stay linear whatever the planner's
statistics say (issue 14). The rule is written out in segmentation/sql/__init__.py, where most
such statements live; these are its helpers:

- `tables_analyze` — ANALYZE what a bulk load wrote (imports end with it);
- `stale_statistics_refresh` — ANALYZE the input tables never analyzed, or changed by more than
  STALE_FRACTION of their rows since (pg_stat_user_tables.n_mod_since_analyze against
  pg_class.reltuples), before the statement's transaction;
- `statistics_missing_refresh` — ANALYZE the output tables a job filled that have no statistics
  yet (a first recompute after an import), so the screens that read them plan right at once;
- `planner_settings_set()` / `with planner_settings(...)`: any SET LOCALs, put back after;
- `whole_tenant_planning_set()` / `with whole_tenant_planning():` — SET LOCAL enable_nestloop
  = off and jit = off: hash joins even when the planner believes a tenant has ten rows;
- `nested_loops_over_aggregates` — the quadratic plan shape, for tests.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.db import connection
from psycopg import sql

logger = logging.getLogger(__name__)

# A table is stale when more than this share of its rows changed since its last ANALYZE
# (autovacuum's own default threshold is 10 %, plus 50 rows).
STALE_FRACTION = 0.1
STALE_MINIMUM_ROWS = 1_000


def stale_tables(*, tables: Sequence[str]) -> list[str]:
    """The tables (of `tables`) never analyzed, or changed by more than STALE_FRACTION since."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.relname
            FROM pg_class c
            JOIN pg_stat_user_tables s ON s.relid = c.oid
            WHERE c.oid = ANY(%(tables)s::regclass[])
              AND (c.reltuples < 0  -- never analyzed (or its statistics reset)
                   OR s.n_mod_since_analyze > greatest(%(minimum)s, %(fraction)s * c.reltuples))
            ORDER BY c.relname
            """,
            {"tables": list(tables), "minimum": STALE_MINIMUM_ROWS, "fraction": STALE_FRACTION},
        )
        return [name for (name,) in cursor.fetchall()]


def tables_analyze(*, tables: Sequence[str], skip_locked: bool = False) -> float:
    """ANALYZE the tables; return the seconds it took. With skip_locked, a table another
    session is analyzing (or vacuuming) is left to it instead of waited for."""
    if not tables:
        return 0.0
    started = time.perf_counter()
    with connection.cursor() as cursor:
        # ANALYZE is the tables' owner's; the app role asks crm_analyze (crm/rls.py) for it.
        cursor.execute(
            "SELECT crm_analyze(%s::regclass[], %s)",
            [
                [sql.Identifier(table).as_string(connection.connection) for table in tables],
                skip_locked,
            ],
        )
    return round(time.perf_counter() - started, 3)


def stale_statistics_refresh(*, tables: Sequence[str]) -> dict[str, float]:
    """ANALYZE the stale ones of `tables` (see the module docstring); {table: seconds}, empty
    when all were fresh. Call it outside the whole-tenant statement's transaction where you can:
    ANALYZE inside a transaction keeps its lock on the table until the transaction ends."""
    stale = stale_tables(tables=tables)
    if not stale:
        return {}
    seconds = tables_analyze(tables=stale, skip_locked=True)
    logger.info("Analyzed stale statistics of %s in %.2f s", ", ".join(stale), seconds)
    return {"analyze " + ", ".join(stale): seconds}


def statistics_missing_refresh(*, tables: Sequence[str]) -> dict[str, float]:
    """ANALYZE those of `tables` that have no statistics at all (pg_stats has no row for them):
    a table a whole-tenant job has just filled for the first time, before autovacuum gets to it.
    Without statistics the planner takes a tenant for 0.5 % of the table (its default
    selectivity) and reads lists through the wrong index (the customer list's scores: 220 ms
    instead of 6 ms for a page at a million customers). {"analyze <tables>": seconds}.

    pg_stats hides the statistics of a table under row-level security from the app's role:
    the tables' owner looks."""
    from crm.rls import owner_mode

    with owner_mode(), connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT t.name FROM unnest(%(tables)s::text[]) AS t(name)
            WHERE NOT EXISTS (
                SELECT FROM pg_stats s
                WHERE s.schemaname = current_schema() AND s.tablename = t.name
            )
            ORDER BY t.name
            """,
            {"tables": list(tables)},
        )
        missing = [name for (name,) in cursor.fetchall()]
    if not missing:
        return {}
    seconds = tables_analyze(tables=missing, skip_locked=True)
    logger.info("Analyzed %s (no statistics yet) in %.2f s", ", ".join(missing), seconds)
    return {"analyze " + ", ".join(missing): seconds}


# enable_nestloop = off prices nested loops out (a join that has no other way, e.g. a CROSS JOIN
# with a one-row aggregate, still runs as one, at a cost raised by 10^10); JIT would then take
# that cost for real work and compile the statement (measured: 1.6 s for a 7 ms statement).
WHOLE_TENANT_SETTINGS = {"enable_nestloop": "off", "jit": "off"}


def planner_settings_set(settings: dict[str, str]) -> dict[str, str]:
    """SET LOCAL each of `settings` for the rest of the current transaction; returns the
    previous values."""
    previous = {}
    with connection.cursor() as cursor:
        for name, value in settings.items():
            cursor.execute(
                "SELECT current_setting(%s), set_config(%s, %s, true)", [name, name, value]
            )
            previous[name] = cursor.fetchone()[0]
    return previous


@contextmanager
def planner_settings(settings: dict[str, str]) -> Iterator[None]:
    """`settings` for the statements run inside the block only (SET LOCAL, the previous values
    put back after, unless the transaction is failing: then its end undoes them)."""
    previous = planner_settings_set(settings)
    try:
        yield
    finally:
        if connection.in_atomic_block and not connection.needs_rollback:
            with connection.cursor() as cursor:
                for name, value in previous.items():
                    cursor.execute("SELECT set_config(%s, %s, true)", [name, value])


def whole_tenant_planning_set() -> dict[str, str]:
    """Plans without nested loops (and without JIT) for the rest of the current transaction
    (SET LOCAL); returns the previous values. Inside transaction.atomic() only."""
    if not connection.in_atomic_block:
        raise RuntimeError("Whole-tenant planner settings need a transaction (SET LOCAL).")
    return planner_settings_set(WHOLE_TENANT_SETTINGS)


@contextmanager
def whole_tenant_planning() -> Iterator[None]:
    """whole_tenant_planning_set() for the statements run inside the block only."""
    if not connection.in_atomic_block:
        raise RuntimeError("Whole-tenant planner settings need a transaction (SET LOCAL).")
    with planner_settings(WHOLE_TENANT_SETTINGS):
        yield


def plan_nodes(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every node of an EXPLAIN (FORMAT JSON) plan tree, depth first."""
    yield node
    for child in node.get("Plans", []):
        yield from plan_nodes(child)


def nested_loops_over_aggregates(plan: dict[str, Any]) -> list[dict[str, Any]]:
    """The Nested Loop nodes of a plan that have an Aggregate below them: the quadratic shape
    (the aggregate is rescanned, or its materialized result searched, once per outer row)."""
    return [
        node
        for node in plan_nodes(plan)
        if node["Node Type"] == "Nested Loop"
        and any(below["Node Type"] == "Aggregate" for below in list(plan_nodes(node))[1:])
    ]
