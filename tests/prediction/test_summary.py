"""The RFM summary in SQL equals lifetimes.utils.summary_data_from_transaction_data, row for
row, on a hand-made fixture and on CDNOW; fitted on CDNOW it gives the published parameters."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import pytest
from django.db import connection, transaction
from lifetimes.utils import summary_data_from_transaction_data

from customers.models import TransactionStatus
from prediction import clv
from prediction.services import summary
from prediction.services.summary import summary_create
from tests.prediction.factories import cdnow_transactions, load_purchases, synthetic_rows

pytestmark = pytest.mark.django_db


def sql_summary(tenant, as_of: date, **options) -> pd.DataFrame:
    with transaction.atomic():
        summary_create(tenant=tenant, as_of=as_of, **options)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT customer_id, frequency, recency, age, monetary::float8 FROM pred_summary"
            )
            rows = cursor.fetchall()
            cursor.execute("DROP TABLE pred_summary")
    return pd.DataFrame(rows, columns=["id", "frequency", "recency", "T", "monetary_value"])


def lifetimes_summary(rows, as_of: date) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["key", "day", "amount"])
    frame["day"] = pd.to_datetime(frame["day"])
    return summary_data_from_transaction_data(
        frame, "key", "day", monetary_value_col="amount", observation_period_end=as_of, freq="D"
    )


def compare(tenant, rows, as_of: date) -> pd.DataFrame:
    customers = load_purchases(tenant, rows)
    ours = sql_summary(tenant, as_of).set_index("id")
    theirs = lifetimes_summary(rows, as_of)
    theirs.index = [customers[key].pk for key in theirs.index]
    ours = ours.loc[theirs.index]
    assert len(ours) == len(theirs)
    for column in ("frequency", "recency", "T", "monetary_value"):
        pd.testing.assert_series_equal(
            ours[column].astype(float),
            theirs[column].astype(float),
            check_names=False,
            check_index=True,
            rtol=1e-9,
        )
    return ours


def test_summary_of_a_hand_made_history(tenant):
    rows = [
        # a: three purchase days, two on 10 March (one day): x = 2, t_x = 20, T = 30,
        # monetary = mean of the repeat days (50 + 30, 40) = 60
        ("a", date(2026, 3, 1), 100),
        ("a", date(2026, 3, 10), 50),
        ("a", date(2026, 3, 10), 30),
        ("a", date(2026, 3, 21), 40),
        # b: one purchase: x = 0, t_x = 0, T = 5, monetary 0
        ("b", date(2026, 3, 26), 70),
        # c: a second purchase after the reference date is not seen
        ("c", date(2026, 3, 2), 10),
        ("c", date(2026, 4, 15), 10),
    ]

    ours = compare(tenant, rows, date(2026, 3, 31))

    assert sorted(ours[["frequency", "recency", "T", "monetary_value"]].values.tolist()) == [
        [0, 0, 5, 0.0],
        [0, 0, 29, 0.0],
        [2, 20, 30, 60.0],
    ]


def test_purchase_days_are_the_tenants_local_days(tenant):
    # 23:30 and 00:30 Istanbul time are two days, though both are 20:30 / 21:30 UTC of one day.
    rows = [("a", datetime(2026, 3, 1, 23, 30), 10), ("a", datetime(2026, 3, 2, 0, 30), 20)]
    load_purchases(tenant, rows)

    summary = sql_summary(tenant, date(2026, 3, 2))

    assert summary[["frequency", "recency", "T"]].values.tolist() == [[1, 1, 1]]


def test_refunded_purchases_are_left_out(tenant):
    customers = load_purchases(tenant, [("a", date(2026, 3, 1), 10)])
    load_purchases(tenant, [("z", date(2026, 3, 5), 99)], status=TransactionStatus.REFUNDED)

    summary = sql_summary(tenant, date(2026, 3, 10))

    assert summary["id"].tolist() == [customers["a"].pk]


def test_summary_on_cdnow_equals_lifetimes_and_fits_the_published_parameters(tenant):
    frame = cdnow_transactions()
    rows = list(zip(frame["customer"], frame["date"].dt.date, frame["amount"], strict=True))
    as_of = date(1997, 9, 30)  # 39 weeks after 1 January 1997: the calibration period

    ours = compare(tenant, rows, as_of)

    assert len(ours) == 2357
    model = clv.bgnbd_fit(
        frequency=ours["frequency"].to_numpy(),
        recency=ours["recency"].to_numpy() / 7,
        age=ours["T"].to_numpy() / 7,
    )
    fitted = clv.fitted(model)
    assert fitted.r == pytest.approx(0.243, rel=0.01)
    assert fitted.alpha == pytest.approx(4.414, rel=0.01)
    assert fitted.a == pytest.approx(0.793, rel=0.01)
    assert fitted.b == pytest.approx(2.426, rel=0.01)


@pytest.mark.django_db(transaction=True)  # the parts' connections see committed purchases only
def test_a_large_tenant_is_summarised_in_parts_on_their_own_connections(tenant, monkeypatch):
    rows = synthetic_rows(customers=300, start=date(2025, 1, 1), days=365)
    load_purchases(tenant, rows)
    as_of = date(2025, 12, 31)
    in_one = sql_summary(tenant, as_of, parts=1)
    monkeypatch.setattr(summary, "PARTS_FROM_PURCHASES", 1)
    part_rows = summary._part_rows
    started = []

    def counted(**options):
        started.append(options["parameters"]["first_customer"])
        return part_rows(**options)

    monkeypatch.setattr(summary, "_part_rows", counted)

    in_parts = sql_summary(tenant, as_of, parts=3)

    assert len(started) == 3
    assert len(in_one) == len({key for key, _day, _amount in rows})
    pd.testing.assert_frame_equal(
        in_parts.sort_values("id", ignore_index=True), in_one.sort_values("id", ignore_index=True)
    )
