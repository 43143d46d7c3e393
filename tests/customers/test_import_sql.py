"""The import's SQL: the upsert updates only the file's columns, and only when they change."""

from __future__ import annotations

from django.db import connection

from customers.importing import sql


def test_customer_upsert_updates_only_the_given_columns_when_they_differ(db):
    with connection.cursor():
        text = sql.upsert_customers(["email", "phone"]).as_string(connection.connection)

    conflict = text[text.index("ON CONFLICT") : text.index("RETURNING")]
    assert 'SET "email" = EXCLUDED."email", "phone" = EXCLUDED."phone", updated_at' in conflict
    assert 'ROW("c"."email", "c"."phone") IS DISTINCT FROM' in conflict
    assert "first_name" not in conflict


def test_transaction_upsert_targets_the_partial_unique_index(db):
    with connection.cursor():
        text = sql.upsert_transactions(["amount"]).as_string(connection.connection)

    assert "ON CONFLICT (tenant_id, external_id) WHERE external_id <> ''" in text
    assert 'ROW("t"."amount") IS DISTINCT FROM ROW("excluded"."amount")' in text


def test_staging_tables_have_every_staged_column(db):
    with connection.cursor():
        text = sql.create_staging(sql.CUSTOMER_STAGING, sql.CUSTOMER_COLUMNS).as_string(
            connection.connection
        )

    assert '"tags" text[]' in text
    assert '"referred_by_external_id" text' in text
    assert text.endswith("ON COMMIT DROP")
