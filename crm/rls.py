"""PostgreSQL row-level security: the second wall behind django-scopes.

- The application works as APP_ROLE (NOLOGIN, no BYPASSRLS, owns nothing): each connection
  runs `SET ROLE` when it opens (crm/database/base.py). Migrations, creating and dropping the test
  database and flushing it run as the connecting user, the tables' owner (`owner_mode()`).
- Every table with a `tenant_id` column (except RLS_EXEMPT) has RLS enabled and one policy: a
  row is visible and writable only when its tenant is the connection's `app.tenant_id`, or when
  `app.all_tenants` is on. With neither set a query sees no rows and can insert none.
- The settings follow the django-scopes scope: before each statement the connection is brought
  to the scope in force (a session-level `set_config`, sent only when it changed since the last
  statement on that connection), so a request, a task or a command that enters
  `scope(tenant=...)` is confined to that tenant in the database too, and the next statement
  outside it (the next request on a reused connection) resets it first.
- Cross-tenant work (fan-outs that look for tenants with work, the superuser's admin, demo and
  data generators) says so: `with all_tenants(reason=..., actor=...)`, which disables the
  scopes, turns `app.all_tenants` on and leaves a CrossTenantAccess record.

`ensure_row_level_security()` creates the role, the grants and the policies; it runs after
every `migrate` (post_migrate), from the model registry, so a new app's tables are covered.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django_scopes import scope
from django_scopes.state import get_scope

APP_ROLE = "crm_app"
TENANT_SETTING = "app.tenant_id"
ALL_TENANTS_SETTING = "app.all_tenants"
POLICY_NAME = "tenant_isolation"

# Tables with a tenant column that the app reads before any tenant is chosen (which tenants a
# user may enter, invitations opened from a mailed link): access control, not business data.
RLS_EXEMPT = frozenset({"crm.membership", "crm.invitation"})

# Scalar subqueries are evaluated once per statement (an InitPlan), not once per row, and
# `tenant_id = $1` stays usable by the tenant indexes.
POLICY_PREDICATE = (
    "tenant_id = (SELECT NULLIF(current_setting('app.tenant_id', true), '')::bigint)"
    " OR (SELECT current_setting('app.all_tenants', true)) = 'on'"
)

_owner_mode: contextvars.ContextVar[bool] = contextvars.ContextVar("rls_owner_mode", default=False)
BYPASS_KEY = "_rls_all_tenants"
TESTS_KEY = "_rls_tests"  # set by tests/conftest.py only


@contextmanager
def owner_mode() -> Iterator[None]:
    """Run as the connecting user (the tables' owner): migrations and test-database set-up."""
    token = _owner_mode.set(True)
    try:
        yield
    finally:
        _owner_mode.reset(token)


def in_owner_mode() -> bool:
    return _owner_mode.get()


@contextmanager
def every_tenant_unaudited(*, reason: str) -> Iterator[None]:
    """Scopes off and the bypass on, with no record: all_tenants() without its audit entry."""
    with scope(_enabled=False, tenant=None, **{BYPASS_KEY: reason}):
        yield


def bypass_outside_scopes_set(reason: str) -> contextvars.Token:
    """Tests only (tests/conftest.py): outside a tenant scope, and under the test's own
    scopes_disabled(), the bypass is on, as the tests were written; a tenant scope (a request,
    a task, `scope(tenant=...)`) still confines. Returns the token to reset it with
    (django_scopes.state.state.reset)."""
    from django_scopes.state import state

    return state.set({**(state.get() or {}), TESTS_KEY: reason})


@contextmanager
def all_tenants(*, reason: str, actor: Any | None = None) -> Iterator[None]:
    """The explicit, audited way to read or write across tenants (see the module docstring).

    A tenant scope entered inside it confines the database to that tenant again.
    """
    from crm.audit import cross_tenant_access_log

    with every_tenant_unaudited(reason=reason):
        cross_tenant_access_log(reason=reason, actor=actor)
        yield


def connection_state_wanted() -> tuple[bool, str, str]:
    """(as owner, app.tenant_id, app.all_tenants) for the scope in force."""
    if _owner_mode.get():
        return (True, "", "")
    current = get_scope()
    tests = current.get(TESTS_KEY)
    if tests and not current.get("_enabled", True):
        return (False, "", "on")  # a test's own scopes_disabled(), even inside a tenant's scope
    tenant = current.get("tenant")
    if tenant is not None:
        return (False, str(getattr(tenant, "pk", tenant)), "")
    if current.get(BYPASS_KEY) or tests:
        return (False, "", "on")
    return (False, "", "")


def tenant_owned_models() -> list[type[models.Model]]:
    """Concrete models with a `tenant` foreign key to crm.Tenant, except RLS_EXEMPT."""
    tenant_model = apps.get_model("crm", "Tenant")
    found = []
    for model in apps.get_models():
        meta = model._meta
        if meta.proxy or not meta.managed or meta.label_lower in RLS_EXEMPT:
            continue
        try:
            field = meta.get_field("tenant")
        except FieldDoesNotExist:  # not tenant-owned
            continue
        if (field.many_to_one or field.one_to_one) and field.related_model is tenant_model:
            found.append(model)
    return found


# Under row-level security the planner uses an index for a condition only if its function is
# LEAKPROOF (it may not run before the policy otherwise, and could leak rows by its errors).
# These back the GIN-indexed conditions of the app (full-text search, tags, flag rules); they
# raise no error that depends on a row's data. Marking them needs a superuser; an owner that
# is not one leaves them be (searches then scan the tenant's rows).
LEAKPROOF_FUNCTIONS = (
    "ts_match_vq(tsvector, tsquery)",
    "arraycontains(anyarray, anyarray)",
    "arrayoverlap(anyarray, anyarray)",
)

# True when the role, its grants, crm_analyze, every policy and every view's security_invoker
# are in place already.
COMPLETE_CHECK = """
SELECT EXISTS (SELECT FROM pg_roles WHERE rolname = 'crm_app') AND (
  SELECT NOT EXISTS (
      SELECT FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = current_schema() AND (
        (c.relkind IN ('r', 'p', 'v') AND NOT has_table_privilege('crm_app', c.oid, 'SELECT'))
        OR (c.relkind = 'S' AND NOT has_sequence_privilege('crm_app', c.oid, 'USAGE'))
        OR (c.relkind = 'v' AND NOT coalesce('security_invoker=true' = ANY(c.reloptions), false))
        OR (c.relname = ANY(%(tables)s) AND NOT (c.relrowsecurity AND EXISTS (
              SELECT FROM pg_policy p WHERE p.polrelid = c.oid AND p.polname = %(policy)s)))
      ))
    AND EXISTS (SELECT FROM pg_proc WHERE proname = 'crm_analyze')
    AND pg_has_role(current_user, 'crm_app', 'MEMBER')
    AND (NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) OR NOT EXISTS (
      SELECT FROM pg_proc WHERE oid = ANY(%(leakproof)s::regprocedure[]) AND NOT proleakproof))
  WHERE EXISTS (SELECT FROM pg_roles WHERE rolname = 'crm_app')
)
"""


def ensure_row_level_security(*, connection: Any) -> list[str]:
    """Create the app role, grant it DML, enable RLS with the policy on every tenant-owned
    table that lacks it. Idempotent and cheap when nothing is missing; run as the owner.
    Returns the tables it gave a policy to."""
    from psycopg import sql

    tables = sorted(model._meta.db_table for model in tenant_owned_models())
    with connection.cursor() as cursor:
        cursor.execute(
            COMPLETE_CHECK,
            {"tables": tables, "policy": POLICY_NAME, "leakproof": list(LEAKPROOF_FUNCTIONS)},
        )
        if cursor.fetchone()[0]:
            return []  # the usual case (every migrate, every flush of the test database)
        cursor.execute(
            """
            DO $$
            BEGIN
              IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'crm_app') THEN
                CREATE ROLE crm_app NOLOGIN NOSUPERUSER NOBYPASSRLS;
              END IF;
            EXCEPTION WHEN duplicate_object OR unique_violation THEN
              NULL;  -- another database of this cluster created it at the same moment
            END
            $$;
            """
        )
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        (is_superuser,) = cursor.fetchone()
        if is_superuser:
            for function in LEAKPROOF_FUNCTIONS:
                cursor.execute(f"ALTER FUNCTION pg_catalog.{function} LEAKPROOF")
        else:
            # An owner that is not a superuser needs membership to SET ROLE crm_app.
            cursor.execute("SELECT pg_has_role(current_user, 'crm_app', 'MEMBER')")
            if not cursor.fetchone()[0]:
                cursor.execute("GRANT crm_app TO CURRENT_USER")
        cursor.execute(
            """
            GRANT USAGE ON SCHEMA public TO crm_app;
            GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO crm_app;
            GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO crm_app;
            ALTER DEFAULT PRIVILEGES IN SCHEMA public
              GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO crm_app;
            ALTER DEFAULT PRIVILEGES IN SCHEMA public
              GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO crm_app;
            """
        )
        # The planner statistics of whole-tenant statements (crm/whole_tenant.py): ANALYZE
        # needs the owner; this runs it for the app role, on the listed tables only.
        cursor.execute(
            """
            CREATE OR REPLACE FUNCTION crm_analyze(tables regclass[], skip_locked boolean)
            RETURNS void LANGUAGE plpgsql SECURITY DEFINER
            SET search_path = pg_catalog, public AS $$
            BEGIN
              IF coalesce(array_length(tables, 1), 0) = 0 THEN RETURN; END IF;
              EXECUTE format('ANALYZE %s%s',
                CASE WHEN skip_locked THEN '(SKIP_LOCKED) ' ELSE '' END,
                (SELECT string_agg(t::text, ', ') FROM unnest(tables) AS t));
            END
            $$;
            REVOKE ALL ON FUNCTION crm_analyze(regclass[], boolean) FROM PUBLIC;
            GRANT EXECUTE ON FUNCTION crm_analyze(regclass[], boolean) TO crm_app;
            """
        )
        cursor.execute(
            """
            SELECT c.relname FROM pg_class c
            JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = current_schema()
            WHERE c.relname = ANY(%s) AND c.relrowsecurity
              AND EXISTS (SELECT FROM pg_policy p WHERE p.polrelid = c.oid AND p.polname = %s)
            """,
            [tables, POLICY_NAME],
        )
        done = {name for (name,) in cursor.fetchall()}
        # A view reads its tables with its owner's rights, which row-level security does not
        # restrict: every view of the schema reads with the querying role's (PostgreSQL 15+).
        cursor.execute(
            """
            SELECT c.relname FROM pg_class c
            JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = current_schema()
            WHERE c.relkind = 'v'
              AND NOT coalesce('security_invoker=true' = ANY(c.reloptions), false)
            """
        )
        for (view,) in cursor.fetchall():
            cursor.execute(
                sql.SQL("ALTER VIEW {view} SET (security_invoker = true)")
                .format(view=sql.Identifier(view))
                .as_string(connection.connection)
            )
        missing = [table for table in tables if table not in done]
        for table in missing:
            cursor.execute(
                sql.SQL(
                    "ALTER TABLE {table} ENABLE ROW LEVEL SECURITY;"
                    " DROP POLICY IF EXISTS {policy} ON {table};"
                    " CREATE POLICY {policy} ON {table} TO {role}"
                    " USING ({predicate}) WITH CHECK ({predicate})"
                )
                .format(
                    table=sql.Identifier(table),
                    policy=sql.Identifier(POLICY_NAME),
                    role=sql.Identifier(APP_ROLE),
                    predicate=sql.SQL(POLICY_PREDICATE),
                )
                .as_string(connection.connection)
            )
    return missing


def post_migrate_handler(*, using: str = "default", **kwargs: Any) -> None:
    from django.db import connections

    with owner_mode():
        ensure_row_level_security(connection=connections[using])
