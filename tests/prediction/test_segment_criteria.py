"""Prediction's segment criteria (prediction/segment_criteria.py through segmentation's
registry): propensity at least x, P(alive) and predicted value within a range; customers
without a prediction match none of them; the builder stores fractions and shows percent."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from prediction.models import CustomerPrediction, PredictionRun, PredictionStatus
from segmentation.models import Segment
from segmentation.segment_selectors import SegmentCriteria, criteria_members
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

# name: (propensity, p_alive, predicted value); "n" has no prediction
PREDICTIONS = {
    "a": (0.60, 0.95, "1500.00"),
    "b": (0.40, 0.70, "800.00"),
    "c": (0.39, 0.50, "200.00"),
    "d": (0.05, 0.10, "0.00"),
}


@pytest.fixture
def people(tenant):
    customers = {name: CustomerFactory(tenant=tenant, first_name=name) for name in "abcdn"}
    with scopes_disabled():
        run = PredictionRun.objects.create(
            tenant=tenant,
            trigger="manual",
            as_of=date(2026, 1, 1),
            status=PredictionStatus.SUCCEEDED,
        )
        CustomerPrediction.objects.bulk_create(
            CustomerPrediction(
                tenant=tenant,
                customer=customers[name],
                run=run,
                frequency=2,
                recency=10,
                age=20,
                monetary=Decimal("100"),
                p_alive=p_alive,
                expected_purchases=1.0,
                propensity=propensity,
                expected_order_value=Decimal("100"),
                predicted_value=Decimal(value),
            )
            for name, (propensity, p_alive, value) in PREDICTIONS.items()
        )
    return customers


def members(tenant, people, **extra) -> set[str]:
    by_id = {customer.pk: name for name, customer in people.items()}
    criteria = SegmentCriteria(extra=tuple(sorted(extra.items())))
    with scope(tenant=tenant):
        return {
            by_id[pk]
            for pk in criteria_members(tenant=tenant, criteria=criteria).values_list(
                "pk", flat=True
            )
        }


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ({"propensity": {"min": "0.4"}}, "ab"),
        ({"propensity": {"min": "0"}}, "abcd"),  # never "n": no prediction
        ({"p_alive": {"min": "0.5", "max": "0.9"}}, "bc"),
        ({"p_alive": {"max": "0.1"}}, "d"),
        ({"predicted_value": {"min": "200", "max": "800"}}, "bc"),
        ({"predicted_value": {"min": "1000"}}, "a"),
        ({"propensity": {"min": "0.4"}, "predicted_value": {"max": "1000"}}, "b"),
    ],
)
def test_each_prediction_criterion_selects_the_expected_customers(tenant, people, extra, expected):
    assert members(tenant, people, **extra) == set(expected)


def url(name, tenant, **kwargs):
    return reverse(f"segmentation:{name}", kwargs={"tenant_slug": tenant.slug, **kwargs})


def test_the_builder_stores_percent_as_fractions_and_describes_them(manager_client, tenant, people):
    response = manager_client.post(
        url("segment_create", tenant),
        {
            "name": "Alıcılar",
            "strategy_type": "grow",
            "propensity__min": "40",
            "p_alive__min": "50,5",
            "predicted_value__max": "1.000,00",
        },
    )
    assert response.status_code == 302
    with scopes_disabled():
        segment = Segment.objects.get(tenant=tenant, name="Alıcılar")
    assert segment.extra_criteria == {
        "propensity": {"min": "0.4"},
        "p_alive": {"min": "0.505"},
        "predicted_value": {"max": "1000.00"},
    }
    page = manager_client.get(url("segment", tenant, segment_id=segment.pk))
    assert page.context["figures"].customers == 1  # b
    body = page.content.decode()
    assert "Probability of buying within 30 days at least 40 %" in body
    assert "Probability still a customer at least 50.5 %" in body
    assert "Predicted value at most 1,000.00 TRY" in body
    edit = manager_client.get(url("segment_edit", tenant, segment_id=segment.pk))
    assert edit.context["form"]["propensity__min"].value() == Decimal("40")


def test_the_live_count_reads_propensity(manager_client, tenant, people):
    response = manager_client.get(url("segment_preview", tenant), {"propensity__min": "39"})
    assert response.context["figures"].customers == 3  # a, b, c


def test_a_range_upside_down_is_an_error_on_its_field(manager_client, tenant, people):
    response = manager_client.post(
        url("segment_create", tenant),
        {"name": "Ters", "strategy_type": "keep", "p_alive__min": "80", "p_alive__max": "20"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["p_alive__max"] == [
        "The upper bound must not be below the lower one."
    ]


def test_a_percent_above_100_is_refused(manager_client, tenant, people):
    response = manager_client.post(
        url("segment_create", tenant),
        {"name": "Fazla", "strategy_type": "keep", "propensity__min": "140"},
    )
    assert "propensity__min" in response.context["form"].errors
