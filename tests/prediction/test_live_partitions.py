"""The live predictions' partitions (migration 0006): a live run swaps in its own leaf, last
night's goes, every partition has the tenant policy, and the database functions that do the
swap act only for the connection's own tenant and only for a live run."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import DatabaseError, connection, transaction
from django_scopes import scope, scopes_disabled

from prediction.models import CustomerPrediction, PredictionStatus
from prediction.services import predictions_run
from tests.prediction.conftest import AS_OF

pytestmark = pytest.mark.django_db

ROOT = "prediction_customerprediction"


def leaves(tenant) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT inhrelid::regclass::text FROM pg_inherits "
            "WHERE inhparent = to_regclass(%s) ORDER BY 1",
            [f"{ROOT}_{tenant.pk}"],
        )
        return [name for (name,) in cursor.fetchall()]


def call(function: str, *args) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {function}(%s, %s)", list(args))


def test_a_live_run_publishes_its_own_leaf_with_the_root_indexes(tenant, synthetic_base):
    run = predictions_run(tenant=tenant, as_of=AS_OF, live=True)

    assert leaves(tenant) == [f"{ROOT}_{tenant.pk}_{run.pk}"]
    with connection.cursor() as cursor:
        # The leaf's own indexes were adopted by the root's: no second set was built.
        cursor.execute(
            "SELECT count(*), count(*) FILTER (WHERE inhparent IS NOT NULL) FROM pg_index i "
            "LEFT JOIN pg_inherits ON inhrelid = i.indexrelid WHERE i.indrelid = %s::regclass",
            [f"{ROOT}_{tenant.pk}_{run.pk}"],
        )
        assert cursor.fetchone() == (3, 3)


def test_the_next_live_run_replaces_the_leaf_and_every_row(tenant, synthetic_base):
    first = predictions_run(tenant=tenant, as_of=AS_OF, live=True)
    second = predictions_run(tenant=tenant, as_of=AS_OF, live=True)

    assert second.status == PredictionStatus.SUCCEEDED
    assert leaves(tenant) == [f"{ROOT}_{tenant.pk}_{second.pk}"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [f"{ROOT}_{tenant.pk}_{first.pk}"])
        assert cursor.fetchone() == (None,)  # dropped, not left behind
    with scopes_disabled():
        runs = set(CustomerPrediction.objects.filter(tenant=tenant).values_list("run", flat=True))
        assert runs == {second.pk}
        assert CustomerPrediction.objects.filter(tenant=tenant).count() == len(synthetic_base)


def test_a_run_for_a_past_date_leaves_the_published_leaf(tenant, synthetic_base):
    live = predictions_run(tenant=tenant, as_of=AS_OF, live=True)
    predictions_run(tenant=tenant, as_of=date(2025, 6, 30), live=False)

    assert leaves(tenant) == [f"{ROOT}_{tenant.pk}_{live.pk}"]


def test_every_partition_has_the_tenant_policy(tenant, synthetic_base):
    predictions_run(tenant=tenant, as_of=AS_OF, live=True)

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, c.relrowsecurity AND EXISTS (SELECT FROM pg_policy p "
            "WHERE p.polrelid = c.oid AND p.polname = 'tenant_isolation') "
            "FROM pg_partition_tree(%s) t JOIN pg_class c ON c.oid = t.relid",
            [ROOT],
        )
        found = dict(cursor.fetchall())
    assert len(found) == 4  # root, default, the tenant's table, its leaf
    assert all(found.values()), found


def test_a_leaf_read_directly_shows_only_the_connections_tenant(
    tenant, other_tenant, synthetic_base
):
    run = predictions_run(tenant=tenant, as_of=AS_OF, live=True)

    leaf = f"{ROOT}_{tenant.pk}_{run.pk}"
    with scope(tenant=other_tenant), connection.cursor() as cursor:
        cursor.execute(f'SELECT count(*) FROM "{leaf}"')
        assert cursor.fetchone() == (0,)
    with scope(tenant=tenant), connection.cursor() as cursor:
        cursor.execute(f'SELECT count(*) FROM "{leaf}"')
        assert cursor.fetchone() == (len(synthetic_base),)


def test_the_functions_refuse_another_tenant(tenant, other_tenant, synthetic_base):
    run = predictions_run(tenant=tenant, as_of=AS_OF, live=True)

    for function, run_id in (("prediction_live_stage", run.pk), ("prediction_live_publish", None)):
        with (
            scope(tenant=other_tenant),
            pytest.raises(DatabaseError, match="outside"),
            transaction.atomic(),
        ):
            call(function, tenant.pk, run_id)
    assert leaves(tenant) == [f"{ROOT}_{tenant.pk}_{run.pk}"]


def test_the_functions_refuse_a_run_that_is_not_live(tenant, synthetic_base):
    past = predictions_run(tenant=tenant, as_of=date(2025, 6, 30), live=False)

    with (
        scope(tenant=tenant),
        pytest.raises(DatabaseError, match="not a live run"),
        transaction.atomic(),
    ):
        call("prediction_live_stage", tenant.pk, past.pk)


def test_the_app_role_cannot_run_ddl_on_a_leaf(tenant, synthetic_base):
    run = predictions_run(tenant=tenant, as_of=AS_OF, live=True)

    with (
        scope(tenant=tenant),
        pytest.raises(DatabaseError, match="owner"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(f'DROP TABLE "{ROOT}_{tenant.pk}_{run.pk}"')
