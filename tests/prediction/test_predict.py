"""The prediction run: written for every buying customer, "not enough data", as-of runs that
leave the live predictions alone, the value keys in segmentation's catalogue."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone
from django_scopes import scopes_disabled

from prediction.models import CustomerPrediction, PredictionStatus
from prediction.services import PredictionError, predictions_run
from segmentation.metrics import METRICS
from tests.prediction.conftest import AS_OF
from tests.prediction.factories import load_purchases

pytestmark = pytest.mark.django_db


def live(tenant):
    with scopes_disabled():
        return {p.customer_id: p for p in CustomerPrediction.objects.filter(tenant=tenant)}


def test_every_buying_customer_gets_a_prediction(tenant, synthetic_base):
    run = predictions_run(tenant=tenant, as_of=AS_OF, live=True)

    assert run.status == PredictionStatus.SUCCEEDED, run.error
    predictions = live(tenant)
    assert set(predictions) == {customer.pk for customer in synthetic_base.values()}
    assert run.customers == 400
    assert set(run.parameters) == {"r", "alpha", "a", "b", "p", "q", "v"}
    for prediction in predictions.values():
        assert 0 <= prediction.propensity <= prediction.p_alive <= 1
        assert prediction.expected_purchases >= 0
        assert prediction.predicted_value >= 0
        assert prediction.recency <= prediction.age


def test_predicted_value_is_value_per_purchase_times_discounted_purchases(tenant, synthetic_base):
    run = predictions_run(tenant=tenant, as_of=AS_OF, live=True)
    p, q, v = (run.parameters[name] for name in ("p", "q", "v"))

    for prediction in list(live(tenant).values())[:20]:
        x, m = prediction.frequency, float(prediction.monetary)
        weight = p * x / (p * x + q - 1)
        expected = (1 - weight) * v * p / (q - 1) + weight * m
        assert float(prediction.expected_order_value) == pytest.approx(expected, abs=0.01)


def test_a_tenant_with_few_repeat_buyers_has_not_enough_data(tenant):
    load_purchases(
        tenant,
        [("a", date(2025, 1, 1), 10), ("a", date(2025, 2, 1), 10), ("b", date(2025, 3, 1), 10)],
    )

    run = predictions_run(tenant=tenant, as_of=AS_OF, live=True)

    assert run.status == PredictionStatus.NOT_ENOUGH_DATA
    assert (run.customers, run.repeat_buyers) == (2, 1)
    assert run.parameters == {}
    assert live(tenant) == {}


def test_not_enough_data_clears_earlier_live_predictions(tenant, synthetic_base, settings):
    predictions_run(tenant=tenant, as_of=AS_OF, live=True)
    small = synthetic_base[0].tenant
    with scopes_disabled():
        from prediction.services import settings_for

        company = settings_for(tenant=small)
        company.min_repeat_buyers = 100_000
        company.save()

    run = predictions_run(tenant=tenant, as_of=AS_OF, live=True)

    assert run.status == PredictionStatus.NOT_ENOUGH_DATA
    assert live(tenant) == {}


def test_a_past_run_leaves_the_live_predictions_alone(tenant, synthetic_base):
    predictions_run(tenant=tenant, as_of=AS_OF, live=True)
    before = {pk: p.predicted_value for pk, p in live(tenant).items()}

    past = predictions_run(tenant=tenant, as_of=date(2025, 9, 30))

    assert past.is_live is False
    assert past.status == PredictionStatus.SUCCEEDED
    assert past.parameters["r"] > 0
    assert {pk: p.predicted_value for pk, p in live(tenant).items()} == before


def test_a_past_run_replaces_the_live_predictions_when_asked(tenant, synthetic_base):
    predictions_run(tenant=tenant, as_of=AS_OF, live=True)

    past = predictions_run(tenant=tenant, as_of=date(2025, 6, 30), live=True)

    assert {p.run_id for p in live(tenant).values()} == {past.pk}
    assert max(p.age for p in live(tenant).values()) <= (date(2025, 6, 30) - date(2025, 1, 1)).days


def test_a_reference_date_in_the_future_is_refused(tenant):
    with pytest.raises(PredictionError):
        predictions_run(tenant=tenant, as_of=date(2999, 1, 1))


def test_prediction_value_keys_read_the_live_predictions(tenant, other_tenant, synthetic_base):
    predictions_run(tenant=tenant, as_of=AS_OF, live=True)
    customer = synthetic_base[0]
    expected = live(tenant)[customer.pk]

    values = {}
    for key, column in [
        ("predicted_value", "predicted_value"),
        ("expected_purchases", "expected_purchases"),
        ("p_alive", "p_alive"),
    ]:
        query = METRICS[key].query.format(tenant="%(tenant)s", today="%(today)s", now="%(now)s")
        params = {"today": date.today(), "now": timezone.now()}
        with connection.cursor() as cursor:
            cursor.execute(query, {"tenant": tenant.pk, **params})
            values[key] = dict(cursor.fetchall())
            cursor.execute(query, {"tenant": other_tenant.pk, **params})
            assert cursor.fetchall() == []
        assert values[key][customer.pk] == pytest.approx(float(getattr(expected, column)))
    assert Decimal(str(values["predicted_value"][customer.pk])) == expected.predicted_value
