"""The demo loader: the demo company's prediction run, next best products and review are made
with its data, which has enough repeat buyers for a fit."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from crm.demo import demo_loaders, run_demo_loaders
from prediction.models import (
    CustomerNextBest,
    CustomerPrediction,
    PredictionRun,
    PredictionStatus,
    RelationshipFlag,
)

pytestmark = pytest.mark.django_db


def test_demo_predictions_run_after_the_purchases_and_before_the_scores(tenant, manager_client):
    orders = {loader.key: loader.order for loader in demo_loaders()}
    assert orders["customer_activity"] < orders["predictions"] < orders["scores"]

    with scope(tenant=tenant):
        lines = run_demo_loaders(tenant=tenant, size="small")

    line = next(line for line in lines if line.startswith(("Predictions:", "Tahminler:")))
    with scopes_disabled():
        run = PredictionRun.objects.get(tenant=tenant)
        flagged = RelationshipFlag.objects.filter(tenant=tenant).count()
        predicted = CustomerPrediction.objects.filter(tenant=tenant).count()
    assert (run.trigger, run.is_live) == ("demo", True)
    assert f"{flagged} flagged" in line
    # The small demo has enough repeat buyers (more than the default 200) for a fit: every
    # buying customer is predicted, has next best products, and the list shows them.
    assert run.status == PredictionStatus.SUCCEEDED
    assert run.repeat_buyers >= 200
    assert predicted == run.customers > 200
    with scopes_disabled():
        assert CustomerNextBest.objects.filter(tenant=tenant).count() > 200
    response = manager_client.get(reverse("prediction:list", kwargs={"tenant_slug": tenant.slug}))
    assert "Not enough data to predict" not in response.content.decode()
    assert len(response.context["rows"]) == 50
    response = manager_client.get(reverse("prediction:review", kwargs={"tenant_slug": tenant.slug}))
    assert response.status_code == 200
