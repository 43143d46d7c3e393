"""The pages: predictions list sorted and N+1-free, the customer panel's sentence and "not
enough data", the back-test with its SVG plots, decisions that say what they did."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse
from django_scopes import scopes_disabled

from prediction.models import BackTest, CustomerPrediction, PredictionStatus
from prediction.services import predictions_run
from prediction.services.backtest import backtest_run
from tests.factories import CustomerFactory
from tests.prediction.conftest import AS_OF
from tests.prediction.factories import load_purchases

pytestmark = pytest.mark.django_db


def url(name, tenant, **kwargs):
    return reverse(f"prediction:{name}", kwargs={"tenant_slug": tenant.slug, **kwargs})


def test_list_sorts_by_propensity_without_a_query_per_row(
    manager_client, tenant, synthetic_base, django_assert_max_num_queries
):
    predictions_run(tenant=tenant, as_of=AS_OF, live=True)

    with django_assert_max_num_queries(12):
        response = manager_client.get(url("list", tenant) + "?order=propensity")

    rows = response.context["rows"]
    assert len(rows) == 50
    assert [row.propensity for row in rows] == sorted(
        (row.propensity for row in rows), reverse=True
    )
    assert response.context["has_next"] is True


def test_predicted_value_is_written_the_turkish_way(manager_client, tenant, synthetic_base):
    predictions_run(tenant=tenant, as_of=AS_OF, live=True)
    customer = synthetic_base[0]
    with scopes_disabled():
        CustomerPrediction.objects.filter(customer=customer).update(
            predicted_value=Decimal("50914.82")
        )
    manager_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "tr"

    pages = [
        manager_client.get(url("list", tenant)).content.decode(),
        manager_client.get(
            reverse(
                "customers:detail",
                kwargs={"tenant_slug": tenant.slug, "customer_id": customer.pk},
            )
        ).content.decode(),
    ]

    for body in pages:
        assert "50.914,82" in body
        assert "50,914,82" not in body  # intcomma on an already localised number


def test_customer_page_explains_the_prediction(manager_client, tenant, synthetic_base):
    predictions_run(tenant=tenant, as_of=AS_OF, live=True)
    customer = synthetic_base[0]

    response = manager_client.get(
        reverse("customers:detail", kwargs={"tenant_slug": tenant.slug, "customer_id": customer.pk})
    )

    body = response.content.decode()
    assert "Predicted value" in body
    assert "the predicted value adds them up, discounted" in body


def test_customer_page_says_when_there_is_not_enough_data(manager_client, tenant):
    customers = load_purchases(tenant, [("a", date(2025, 1, 1), 10)])
    predictions_run(tenant=tenant, as_of=AS_OF, live=True)

    response = manager_client.get(
        reverse(
            "customers:detail",
            kwargs={"tenant_slug": tenant.slug, "customer_id": customers["a"].pk},
        )
    )

    assert "Not enough data to predict" in response.content.decode()


def test_backtest_compares_predicted_and_actual_with_svg_plots(
    manager_client, tenant, synthetic_base
):
    with scopes_disabled():
        test = BackTest.objects.create(tenant=tenant, cutoff=date(2025, 8, 31), holdout_days=122)

    backtest_run(tenant=tenant, backtest_id=test.pk)

    test.refresh_from_db()
    assert test.status == PredictionStatus.SUCCEEDED, test.error
    results = test.results
    assert sum(row[1] for row in results["by_frequency"]) == results["customers"]
    assert results["over_time"][-1][0] == 122
    assert results["over_time"][-1][2] == pytest.approx(results["actual_total"])
    assert results["over_time"][-1][1] == pytest.approx(results["predicted_total"], rel=1e-6)
    response = manager_client.get(url("backtest", tenant))
    body = response.content.decode()
    figures = [part.split("</figure>")[0] for part in body.split('<figure class="chart">')[1:]]
    assert len(figures) == 2
    # The Content-Security-Policy refuses inline styles without the request's nonce.
    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
    for figure in figures:
        assert figure.lstrip().startswith("<svg")
        assert "<script" not in figure
        assert 'href="http' not in figure
        styles = re.findall(r"<style[^>]*>", figure)
        assert styles
        assert all(f'nonce="{nonce}"' in style for style in styles)


def test_backtest_form_refuses_a_holdout_ending_in_the_future(manager_client, tenant):
    response = manager_client.post(
        url("backtest", tenant), {"cutoff": "2999-01-01", "holdout_days": 30}
    )
    assert response.status_code == 400
    assert "The holdout must end by today" in response.content.decode()


def test_terminating_without_confirmation_is_refused_with_a_message(manager_client, tenant):
    customer = CustomerFactory(tenant=tenant)

    response = manager_client.post(
        url("decide", tenant, customer_id=customer.pk),
        {"action": "terminate", "reason": "Zarar"},
        follow=True,
    )

    assert "Confirm to end the relationship." in response.content.decode()
    customer.refresh_from_db()
    assert customer.lifecycle_stage != "terminated"


def test_terminating_with_confirmation_says_what_it_did(manager_client, tenant):
    customer = CustomerFactory(tenant=tenant)

    response = manager_client.post(
        url("decide", tenant, customer_id=customer.pk),
        {"action": "terminate", "reason": "Zarar", "confirm": "on"},
        follow=True,
    )

    assert "relationship ended; the customer is now terminated" in response.content.decode()
    customer.refresh_from_db()
    assert customer.lifecycle_stage == "terminated"


def test_customer_list_sorts_by_propensity_for_managers(manager_client, tenant, synthetic_base):
    predictions_run(tenant=tenant, as_of=AS_OF, live=True)

    response = manager_client.get(
        reverse("customers:list", kwargs={"tenant_slug": tenant.slug}) + "?sort=-propensity"
    )

    assert response.status_code == 200
    body = response.content.decode()
    assert "Propensity (30 days)" in body
    with scopes_disabled():
        top = (
            CustomerPrediction.objects.filter(tenant=tenant)
            .order_by("-propensity", "customer_id")
            .first()
        )
    first_row = body.split("<tbody>", 1)[1].split("</tr>", 1)[0]
    assert f"/customers/{top.customer_id}/" in first_row


def test_sales_see_no_prediction_column(sales_client, tenant):
    response = sales_client.get(reverse("customers:list", kwargs={"tenant_slug": tenant.slug}))
    assert "Propensity (30 days)" not in response.content.decode()


def test_list_page_says_when_there_is_not_enough_data(manager_client, tenant):
    rows = [(key, day, 10) for key in "ab" for day in (date(2025, 1, 1), date(2025, 2, 1))]
    load_purchases(tenant, [*rows, ("c", date(2025, 1, 1), 10)])
    predictions_run(tenant=tenant, as_of=AS_OF, live=True)

    response = manager_client.get(url("list", tenant))

    assert response.status_code == 200
    assert "Not enough data to predict: only 2 customers have bought" in response.content.decode()
