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


@pytest.mark.django_db
@pytest.mark.parametrize("wrong", ["tenant", "member"])
def test_an_entry_must_belong_to_an_existing_member_of_its_own_tenant(tenant, other_tenant, wrong):
    from django.db import IntegrityError, transaction
    from django_scopes import scopes_disabled

    from loyalty.models import Member, PointsEntry
    from tests.factories import CustomerFactory

    with scopes_disabled():
        member = Member.objects.create(tenant=tenant, customer=CustomerFactory(tenant=tenant))
    values = {"tenant_id": tenant.pk, "member_id": member.pk}
    values[f"{wrong}_id"] = other_tenant.pk if wrong == "tenant" else member.pk + 1000

    # One deferred foreign key, (member_id, tenant_id) → the member's (id, tenant_id),
    # checked when the transaction commits (here: at SET CONSTRAINTS ALL IMMEDIATE).
    with (
        pytest.raises(IntegrityError, match="loyalty_entry_member_of_tenant"),
        transaction.atomic(),
    ):
        PointsEntry.objects.with_scopes_disabled().create(
            kind="adjust", source="user", available_delta=5, reason="x",
            idempotency_key="k", **values,
        )  # fmt: skip
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
