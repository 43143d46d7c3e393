"""The ledger's database guarantees exist after the migrations (not only in the models)."""

from __future__ import annotations

import pytest
from django.db import connection


@pytest.mark.django_db
def test_the_ledger_has_its_unique_indexes_and_append_only_trigger():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'loyalty_pointsentry' "
            "AND indexdef LIKE 'CREATE UNIQUE%%'"
        )
        unique = {name for (name,) in cursor.fetchall()}
        cursor.execute(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = 'loyalty_pointsentry'::regclass "
            "AND NOT tgisinternal"
        )
        triggers = {name for (name,) in cursor.fetchall()}

    assert {"loyalty_entry_key_unique_per_tenant", "loyalty_entry_settled_once"} <= unique
    assert triggers == {"loyalty_pointsentry_append_only"}
