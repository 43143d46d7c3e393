"""Columns to and from numpy in COPY's binary format (prediction/sql: arrays_in, arrays_out)."""

from __future__ import annotations

import numpy as np
import pytest
from django.db import connection
from django_scopes import scope

from customers.models import Customer
from prediction import sql
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def test_arrays_go_in_and_come_back_unchanged():
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE copied (n int, big bigint, x float8)")
    n = np.array([1, -2, 2_000_000_000])
    big = np.array([3, 9_000_000_000_000, -1])
    x = np.array([0.5, -1e-300, 123456.789])

    sql.arrays_in("copied", [("n", "int4", n), ("big", "int8", big), ("x", "float8", x)])
    back = sql.arrays_out(
        "SELECT n, big, x FROM copied WHERE n > %(least)s ORDER BY n",
        ("int4", "int8", "float8"),
        {"least": -10},
    )

    order = np.argsort(n)
    for sent, received in zip((n, big, x), back, strict=True):
        np.testing.assert_array_equal(received, sent[order])


def test_no_rows_give_empty_arrays():
    assert [len(column) for column in sql.arrays_out("SELECT 1 WHERE false", ("int4",))] == [0]


def test_a_null_is_refused_not_misread():
    with pytest.raises(ValueError, match="NOT NULL"):
        sql.arrays_out("SELECT NULL::int4 UNION ALL SELECT 1", ("int4",))


def test_a_copy_reads_the_tenant_of_the_scope_in_force(tenant, other_tenant):
    # COPY does not pass through execute(): the connection must still be brought to the scope
    # first, or it reads under the last statement's tenant (row-level security: no rows).
    customer = CustomerFactory(tenant=tenant)
    with scope(tenant=other_tenant):
        Customer.objects.filter(tenant=other_tenant).count()
    with scope(tenant=tenant):
        (ids,) = sql.arrays_out(
            "SELECT id FROM customers_customer WHERE tenant_id = %(tenant)s",
            ("int8",),
            {"tenant": tenant.pk},
        )

    assert ids.tolist() == [customer.pk]
