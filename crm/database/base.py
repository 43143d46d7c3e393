"""Django's PostgreSQL backend, working as the app role with the tenant of the scope in force.

- A new connection runs `SET ROLE crm_app` (the connecting user stays the tables' owner for
  migrations: crm.rls.owner_mode()).
- Before every statement (execute, executemany, COPY) the connection's role, `app.tenant_id`
  and `app.all_tenants` are compared with what the django-scopes scope in force asks for and
  set in one round trip if they differ. The statement that sets them is not a query of the
  application's (it is not in connection.queries, so query counts are unchanged).
- A rollback (or rollback to a savepoint) may undo a `set_config`, so the next statement sets
  them again; a fresh connection starts from the owner role with nothing set.
"""

from __future__ import annotations

from typing import Any

from django.db.backends import utils
from django.db.backends.postgresql import base, creation, operations
from psycopg.pq import TransactionStatus

from crm import rls

FRESH = (True, "", "")  # what a new connection is before _configure_role: the owner, nothing set


class DatabaseCreation(creation.DatabaseCreation):
    """Creating, migrating and dropping the test database are the owner's work."""

    def create_test_db(self, *args: Any, **kwargs: Any) -> str:
        with rls.owner_mode():
            name = super().create_test_db(*args, **kwargs)
        self.connection.close()  # reopen as the app role
        return name

    def destroy_test_db(self, *args: Any, **kwargs: Any) -> None:
        with rls.owner_mode():
            super().destroy_test_db(*args, **kwargs)


class DatabaseOperations(operations.DatabaseOperations):
    def execute_sql_flush(self, sql_list: list[str]) -> None:
        # TRUNCATE ignores row-level security: the app role is not granted it; flushing (tests'
        # teardown of transactional tests, `manage.py flush`) is the owner's work.
        with rls.owner_mode():
            super().execute_sql_flush(sql_list)


class CursorWrapper(utils.CursorWrapper):
    def copy(self, statement: Any, *args: Any, **kwargs: Any) -> Any:
        self.db.rls_sync()  # COPY bypasses execute(): bring the connection to the scope first
        return self.cursor.copy(statement, *args, **kwargs)


class CursorDebugWrapper(base.CursorDebugWrapper):
    def copy(self, statement: Any, *args: Any, **kwargs: Any) -> Any:
        self.db.rls_sync()
        with self.debug_sql(statement):
            return self.cursor.copy(statement, *args, **kwargs)


class DatabaseWrapper(base.DatabaseWrapper):
    creation_class = DatabaseCreation
    ops_class = DatabaseOperations

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rls_state: tuple[bool, str, str] | None = FRESH
        self.execute_wrappers.append(_sync_before_statement)

    def _configure_role(self, connection: Any) -> bool:
        as_owner = rls.in_owner_mode()
        if not as_owner:
            with connection.cursor() as cursor:
                cursor.execute(f"SET ROLE {rls.APP_ROLE}")
        self.rls_state = (as_owner, "", "")
        return not as_owner

    def rls_sync(self) -> None:
        wanted = rls.connection_state_wanted()
        if wanted == self.rls_state or self.connection is None:
            return
        if self.connection.info.transaction_status == TransactionStatus.INERROR:
            return  # only a rollback can run now, and it is followed by a sync (see below)
        as_owner, tenant_id, every_tenant = wanted
        self.rls_state = None  # unknown until the statement below has succeeded
        with self.wrap_database_errors:
            # set_config('role', ...) is SET ROLE; 'none' is RESET ROLE. Session-level: it
            # lasts until the next statement that wants another scope re-sets it.
            self.connection.execute(
                "SELECT set_config('role', %s, false), set_config(%s, %s, false),"
                " set_config(%s, %s, false)",
                [
                    "none" if as_owner else rls.APP_ROLE,
                    rls.TENANT_SETTING,
                    tenant_id,
                    rls.ALL_TENANTS_SETTING,
                    every_tenant,
                ],
            )
        self.rls_state = wanted

    def _rollback(self) -> None:
        try:
            super()._rollback()
        finally:
            self.rls_state = None

    def _savepoint_rollback(self, sid: str) -> None:
        try:
            super()._savepoint_rollback(sid)
        finally:
            self.rls_state = None

    def make_cursor(self, cursor: Any) -> CursorWrapper:
        return CursorWrapper(cursor, self)

    def make_debug_cursor(self, cursor: Any) -> CursorDebugWrapper:
        return CursorDebugWrapper(cursor, self)


def _sync_before_statement(execute, sql, params, many, context):
    context["connection"].rls_sync()
    return execute(sql, params, many, context)
