"""Scores for a reference date in the past (`scores_recompute(as_of=...)`, `recompute_scores
--as-of`): computed as at the end of that day, and kept only when the company asks (live)."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django_scopes import scopes_disabled

from segmentation.models import CustomerScore, ScoreRun
from segmentation.services import scores_recompute
from tests.segmentation.factories import NOW, buy, customer, use_keys, use_tiers

pytestmark = pytest.mark.django_db


@pytest.fixture
def base(tenant):
    """`old` bought 100 days ago, `new` 10 days ago; scored live at NOW."""
    use_keys(tenant, ("revenue", 1, "min_max", None))
    use_tiers(tenant, 50, 50)
    old, new = customer(tenant), customer(tenant)
    buy(old, 100, days_ago=100)
    buy(new, 300, days_ago=10)
    scores_recompute(tenant=tenant, now=NOW)
    return old, new


def statuses(tenant):
    with scopes_disabled():
        return dict(
            CustomerScore.objects.filter(tenant=tenant).values_list("customer_id", "status")
        )


def test_a_past_run_leaves_the_live_scores_and_runs_alone(tenant, base):
    old, new = base
    before = statuses(tenant)
    with scopes_disabled():
        runs = ScoreRun.objects.filter(tenant=tenant).count()

    run = scores_recompute(tenant=tenant, as_of=(NOW - timedelta(days=30)).date())

    assert run.status == "succeeded"
    # 30 days ago only `old` had bought: one active customer, `new` a prospect
    assert run.tier_counts.get("prospect") == 1
    assert run.customers_scored == 1
    assert statuses(tenant) == before == {old.pk: "active", new.pk: "active"}
    with scopes_disabled():
        assert ScoreRun.objects.filter(tenant=tenant).count() == runs


def test_a_past_run_replaces_the_live_scores_when_asked(tenant, base):
    old, new = base

    scores_recompute(tenant=tenant, as_of=(NOW - timedelta(days=30)).date(), live=True)

    assert statuses(tenant) == {old.pk: "active", new.pk: "prospect"}


def test_command_as_of_says_nothing_was_kept(tenant, base):
    out = StringIO()

    call_command(
        "recompute_scores",
        tenant=tenant.slug,
        as_of=(NOW - timedelta(days=30)).date(),
        stdout=out,
    )

    assert "not kept" in out.getvalue()
    assert set(statuses(tenant).values()) == {"active"}
