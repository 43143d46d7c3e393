"""Prediction value keys in score runs: a run for a past date does not read predictions made
from later data (the customers have no value on those keys); a run on or after the
predictions' date reads them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django_scopes import scopes_disabled

from prediction.services import predictions_run
from segmentation.models import CustomerScore
from segmentation.services import scores_recompute
from tests.prediction.conftest import AS_OF
from tests.segmentation.factories import use_keys, use_tiers

pytestmark = pytest.mark.django_db


def scores(tenant):
    with scopes_disabled():
        return set(CustomerScore.objects.filter(tenant=tenant).values_list("score", flat=True))


def test_a_past_score_run_leaves_out_later_predictions(tenant, synthetic_base):
    predictions_run(tenant=tenant, as_of=AS_OF, live=True)
    use_keys(tenant, ("predicted_value", 1, "min_max", None))
    use_tiers(tenant, 50, 50)

    # As at the end of AS_OF: the predictions' own date, so they count and scores differ.
    scores_recompute(tenant=tenant, as_of=AS_OF, live=True)
    assert len(scores(tenant)) > 10

    # A day earlier: the predictions saw a day more of purchases, so no one has a value on
    # the key and everyone sits in the middle of the scale (50).
    scores_recompute(tenant=tenant, as_of=AS_OF - timedelta(days=1), live=True)
    assert {float(score) for score in scores(tenant)} == {50.0}
