"""The recompute on hand-made customer bases: every expected value is worked out by hand in the
comment next to it (the rules are in segmentation/sql/__init__.py)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import psycopg
import pytest
from django.db import connection
from django_scopes import scopes_disabled

from segmentation.metrics import METRICS, Metric
from segmentation.models import (
    CustomerScore,
    RunStatus,
    RunTierSummary,
    RunTransitionSummary,
    ScoreContribution,
    ScoreStatus,
    Tier,
    TierChange,
    TierPin,
    ValueKey,
)
from segmentation.services import scores_recompute, segmentation_defaults_ensure
from segmentation.services.recompute import RECOMPUTE_LOCK_CLASS
from tests.segmentation.factories import (
    buy,
    complain,
    customer,
    refund,
    share_cost,
    survey,
    use_keys,
    use_tiers,
)

pytestmark = pytest.mark.django_db


def scores(tenant) -> dict[int, CustomerScore]:
    with scopes_disabled():
        return {row.customer_id: row for row in CustomerScore.objects.filter(tenant=tenant)}


def score_of(tenant, who) -> Decimal | None:
    return scores(tenant)[who.pk].score


# --- normalisations -----------------------------------------------------------------------------


def test_percentile_rank_gives_tied_customers_their_mid_rank(tenant, now):
    use_keys(tenant, ("revenue", 1, "percentile"))
    use_tiers(tenant, 100)
    a, b, c, d = (customer(tenant) for _ in range(4))
    for who, amount in ((a, 100), (b, 200), (c, 200), (d, 400)):
        buy(who, amount)

    run = scores_recompute(tenant=tenant, now=now)

    assert run.status == RunStatus.SUCCEEDED
    result = scores(tenant)
    # n = 4; x = (rank_low − 1 + rank_high − 1) / (2 × 3):
    # a: (0 + 0)/6 = 0; b, c: (1 + 2)/6 = 0.5; d: (3 + 3)/6 = 1; score = 100 × x.
    assert [result[w.pk].score for w in (a, b, c, d)] == [
        Decimal("0.0000"),
        Decimal("50.0000"),
        Decimal("50.0000"),
        Decimal("100.0000"),
    ]
    # Ties share the rank; percentile = 100 × (n − rank + 1) / n.
    assert [result[w.pk].rank for w in (a, b, c, d)] == [4, 2, 2, 1]
    assert [result[w.pk].percentile for w in (a, b, c, d)] == [
        Decimal("25.0000"),
        Decimal("75.0000"),
        Decimal("75.0000"),
        Decimal("100.0000"),
    ]


def test_min_max_keeps_distances(tenant, now):
    use_keys(tenant, ("revenue", 2, "min_max"))
    a, b, c = customer(tenant), customer(tenant), customer(tenant)
    buy(a, 100)
    buy(b, 200)
    buy(c, 400)

    scores_recompute(tenant=tenant, now=now)

    # (v − 100) / 300: 0, 1/3, 1; one key, so its weight drops out: score = 100 × x.
    assert score_of(tenant, a) == Decimal("0.0000")
    assert score_of(tenant, b) == Decimal("33.3333")
    assert score_of(tenant, c) == Decimal("100.0000")


def test_log_scaled_min_max_tames_large_values(tenant, now):
    use_keys(tenant, ("revenue", 1, "log_min_max"))
    a, b, c = customer(tenant), customer(tenant), customer(tenant)
    buy(a, 100)
    buy(b, 200)
    buy(c, 400)

    scores_recompute(tenant=tenant, now=now)

    # ln(1 + v − 100) / ln(1 + 300): a ln 1 = 0; b ln 101 / ln 301 = 4.615121 / 5.707110
    # = 0.808662; c 1.
    assert score_of(tenant, a) == Decimal("0.0000")
    assert score_of(tenant, b) == Decimal("80.8662")
    assert score_of(tenant, c) == Decimal("100.0000")


def test_recency_counts_fewer_days_as_better(tenant, now):
    use_keys(tenant, ("recency", 1, "percentile", None))
    recent, middle, old = customer(tenant), customer(tenant), customer(tenant)
    buy(recent, 50, days_ago=5)
    buy(middle, 50, days_ago=10)
    buy(old, 50, days_ago=30)

    scores_recompute(tenant=tenant, now=now)

    # Days 5, 10, 30 → percentile 0, 0.5, 1 → flipped (lower is better): 1, 0.5, 0.
    assert score_of(tenant, recent) == Decimal("100.0000")
    assert score_of(tenant, middle) == Decimal("50.0000")
    assert score_of(tenant, old) == Decimal("0.0000")
    assert scores(tenant)[old.pk].raw_values == [30.0]


def test_negative_weight_is_a_penalty_and_the_score_stays_within_0_and_100(tenant, now):
    use_keys(tenant, ("revenue", 3, "min_max"), ("complaints", -1, "min_max"))
    a, b, c = customer(tenant), customer(tenant), customer(tenant)
    buy(a, 100)
    buy(b, 400)
    buy(c, 250)
    complain(b)
    complain(b)
    complain(c)

    scores_recompute(tenant=tenant, now=now)

    # W = |3| + |−1| = 4. Revenue x: a 0, b 1, c 0.5 → 100 × 3 × x / 4 = 0, 75, 37.5.
    # Complaints x: a 0, b 1, c 0.5 → penalty points 100 × 1 × (1 − x) / 4 = 25, 0, 12.5.
    assert score_of(tenant, a) == Decimal("25.0000")
    assert score_of(tenant, b) == Decimal("75.0000")
    assert score_of(tenant, c) == Decimal("50.0000")
    with scopes_disabled():
        lines = list(ScoreContribution.objects.filter(customer=c).order_by("position"))
    assert [
        (line.metric, line.raw_value, line.normalised_value, line.contribution) for line in lines
    ] == [
        ("revenue", 250.0, 0.5, 37.5),
        ("complaints", 1.0, 0.5, 12.5),
    ]
    assert [line.weight for line in lines] == [Decimal("3.00"), Decimal("-1.00")]


def test_cost_sharing_counts_cost_share_transactions_only(tenant, now):
    use_keys(tenant, ("cost_sharing", 1, "min_max"))
    a, b = customer(tenant), customer(tenant)
    buy(a, 500)
    buy(b, 100)
    share_cost(b, 300)

    scores_recompute(tenant=tenant, now=now)

    # Cost sharing: a 0, b 300 → min–max 0 and 1.
    assert scores(tenant)[a.pk].raw_values == [0.0]
    assert score_of(tenant, a) == Decimal("0.0000")
    assert score_of(tenant, b) == Decimal("100.0000")


def test_satisfaction_puts_nps_and_satisfaction_on_one_scale(tenant, now):
    use_keys(tenant, ("revenue", 1, "min_max"), ("satisfaction", 1, "min_max"))
    a, b, silent = customer(tenant), customer(tenant), customer(tenant)
    for who in (a, b, silent):
        buy(who, 100)
    survey(a, nps=9)  # 9 × 10 = 90
    survey(b, satisfaction=3)  # (3 − 1) × 25 = 50

    scores_recompute(tenant=tenant, now=now)

    result = scores(tenant)
    assert result[a.pk].raw_values[1] == 90.0
    assert result[b.pk].raw_values[1] == 50.0
    # Revenue is equal for all three (x = 0.5, 25 points each, W = 2). Satisfaction min–max over
    # the two who answered: a 1 (50 points), b 0 (0); without answers: the middle, 0.5 (25).
    assert score_of(tenant, a) == Decimal("75.0000")
    assert score_of(tenant, b) == Decimal("25.0000")
    assert score_of(tenant, silent) == Decimal("50.0000")


def test_a_missing_value_sits_in_the_middle_and_stays_out_of_the_ranking(tenant, now):
    use_keys(
        tenant,
        ("average_order_value", 1, "percentile", 30),
        ("purchases", 1, "min_max", 365),
    )
    a, b, c = customer(tenant), customer(tenant), customer(tenant)
    buy(a, 100)
    buy(b, 300)
    buy(c, 200, days_ago=100)  # active (365-day window) but no order in the last 30 days

    scores_recompute(tenant=tenant, now=now)

    # W = 2. Purchases all 1 → min–max 0.5 → 100 × 1 × 0.5 / 2 = 25 points each.
    # Average order value ranks a and b only (n = 2): a (0 + 0)/2 = 0, b (1 + 1)/2 = 1;
    # c has none: 0.5. Points 50 × x: a 0, b 50, c 25.
    assert score_of(tenant, a) == Decimal("25.0000")
    assert score_of(tenant, b) == Decimal("75.0000")
    assert score_of(tenant, c) == Decimal("50.0000")
    assert scores(tenant)[c.pk].raw_values == [None, 1.0]


def test_revenue_growth_compares_the_window_with_the_one_before(tenant, now):
    use_keys(tenant, ("revenue_growth", 1, "min_max", 30))
    steady, new, shrinking = customer(tenant), customer(tenant), customer(tenant)
    buy(steady, 100, days_ago=10)
    buy(steady, 100, days_ago=40)
    buy(new, 200, days_ago=10)
    buy(shrinking, 50, days_ago=10)
    buy(shrinking, 200, days_ago=40)

    scores_recompute(tenant=tenant, now=now)

    # (this − previous) / max: steady 0, new (200 − 0)/200 = 1, shrinking (50 − 200)/200 = −0.75.
    # Min–max over −0.75 … 1: steady 0.75 / 1.75 = 0.428571, new 1, shrinking 0.
    assert [scores(tenant)[w.pk].raw_values[0] for w in (steady, new, shrinking)] == [
        0.0,
        1.0,
        -0.75,
    ]
    assert score_of(tenant, steady) == Decimal("42.8571")
    assert score_of(tenant, new) == Decimal("100.0000")
    assert score_of(tenant, shrinking) == Decimal("0.0000")


def test_late_payments_are_the_share_of_invoices_paid_late(tenant, now):
    use_keys(tenant, ("revenue", 1, "min_max"), ("late_payments", -1, "min_max"))
    late_half, on_time, no_invoices = customer(tenant), customer(tenant), customer(tenant)
    due = (now - timedelta(days=20)).date()
    buy(late_half, 50, due_date=due, paid_date=due + timedelta(days=5))
    buy(late_half, 50, due_date=due, paid_date=due)
    buy(on_time, 100, due_date=due, paid_date=due)
    buy(no_invoices, 100)

    scores_recompute(tenant=tenant, now=now)

    # W = 2. Revenue equal (100 each): 0.5 → 25 points each. Late share: 0.5, 0, none (0.5).
    # Min–max over 0 … 0.5: late_half 1, on_time 0; penalty points 50 × (1 − x): 0, 50, 25.
    assert scores(tenant)[late_half.pk].raw_values == [100.0, 0.5]
    assert score_of(tenant, late_half) == Decimal("25.0000")
    assert score_of(tenant, on_time) == Decimal("75.0000")
    assert score_of(tenant, no_invoices) == Decimal("50.0000")


def test_referrals_count_referred_customers_who_bought(tenant, now):
    use_keys(tenant, ("referrals", 1, "min_max"))
    referrer, loner = customer(tenant), customer(tenant)
    buyer = customer(tenant, referred_by=referrer)
    customer(tenant, referred_by=referrer)  # referred, never bought: does not count
    for who in (referrer, loner, buyer):
        buy(who, 100)

    scores_recompute(tenant=tenant, now=now)

    # Referrals: referrer 1, loner 0, buyer 0 → min–max 1, 0, 0.
    assert scores(tenant)[referrer.pk].raw_values == [1.0]
    assert score_of(tenant, referrer) == Decimal("100.0000")
    assert score_of(tenant, loner) == Decimal("0.0000")


# --- tiers ----------------------------------------------------------------------------------------


def test_a_tie_at_a_tier_boundary_goes_entirely_to_the_lower_tier(tenant, now):
    use_keys(tenant, ("revenue", 1, "min_max"))
    top, second, third = use_tiers(tenant, 20, 30, 50)
    base = [customer(tenant) for _ in range(10)]
    for who, amount in zip(base, (1000, 900, 900, 800, 700, 600, 500, 400, 300, 200), strict=True):
        buy(who, amount)

    scores_recompute(tenant=tenant, now=now)

    result = scores(tenant)
    # 10 active: caps floor(10 × 20%) = 2 for the peak, floor(10 × 50%) = 5 cumulative.
    # 1000 is alone at the top (1 ≤ 2). The two 900s would be 2nd and 3rd: the group ends at
    # position 3 > 2, so both drop to the second tier, as do 800 (4) and 700 (5).
    assert [result[w.pk].tier_id for w in base] == [top.pk] + [second.pk] * 4 + [third.pk] * 5


def test_threshold_tiers_take_the_first_threshold_reached(tenant, now):
    use_keys(tenant, ("revenue", 1, "min_max"))
    high, low = use_tiers(tenant, 60, 0, thresholds=True)
    a, b, c = customer(tenant), customer(tenant), customer(tenant)
    buy(a, 100)
    buy(b, 200)
    buy(c, 300)

    scores_recompute(tenant=tenant, now=now)

    # Scores 0, 50, 100: only 100 reaches 60.
    result = scores(tenant)
    assert [result[w.pk].tier_id for w in (a, b, c)] == [low.pk, low.pk, high.pk]


def test_inactive_customers_and_prospects_are_below_the_pyramid(tenant, now):
    use_keys(tenant, ("revenue", 1, "min_max", 365))
    (tier,) = use_tiers(tenant, 100)
    active, lapsed, prospect, refunded_only = (customer(tenant) for _ in range(4))
    buy(active, 100)
    buy(lapsed, 100, days_ago=400)
    refund(refunded_only, 100)

    run = scores_recompute(tenant=tenant, now=now)

    result = scores(tenant)
    assert result[active.pk].status == ScoreStatus.ACTIVE
    assert result[active.pk].tier_id == tier.pk
    assert result[lapsed.pk].status == ScoreStatus.INACTIVE
    assert result[prospect.pk].status == ScoreStatus.PROSPECT
    assert result[refunded_only.pk].status == ScoreStatus.PROSPECT
    for who in (lapsed, prospect, refunded_only):
        assert (result[who.pk].score, result[who.pk].rank, result[who.pk].tier_id) == (
            None,
            None,
            None,
        )
    assert run.customers_scored == 1
    assert run.tier_counts == {str(tier.pk): 1, "inactive": 1, "prospect": 2}


def test_three_customers_with_the_default_tiers_all_land_in_the_base(tenant, now):
    customers = [customer(tenant) for _ in range(3)]
    for index, who in enumerate(customers):
        buy(who, 100 * (index + 1))

    run = scores_recompute(tenant=tenant, now=now)

    # Caps floor(3 × 1%) = floor(3 × 5%) = floor(3 × 20%) = 0: nobody fits in Platin, Altın or
    # Gümüş without exceeding its share, so all three are Bronz (the base takes the rest).
    with scopes_disabled():
        bronze = Tier.objects.get(tenant=tenant, name_tr="Bronz")
    assert {row.tier_id for row in scores(tenant).values()} == {bronze.pk}
    assert run.customers_scored == 3


def test_an_empty_tenant_gets_a_successful_empty_run(tenant, now):
    run = scores_recompute(tenant=tenant, now=now)

    assert run.status == RunStatus.SUCCEEDED
    assert (run.customers_scored, run.customers_total, run.tier_counts) == (0, 0, {})
    assert scores(tenant) == {}


def test_all_equal_metrics_give_everyone_the_middle_score_and_the_base_tier(tenant, now):
    use_keys(tenant, ("revenue", 2, "percentile"), ("purchases", 1, "min_max"))
    _top, base = use_tiers(tenant, 50, 50)
    customers = [customer(tenant) for _ in range(4)]
    for who in customers:
        buy(who, 100)

    scores_recompute(tenant=tenant, now=now)

    # All equal: percentile and min–max both give 0.5 → score 50 for everyone, rank 1 for
    # everyone; the tie group (4 customers) exceeds the peak's 2 places, so all are in the base.
    result = scores(tenant)
    assert {(row.score, row.rank, row.tier_id) for row in result.values()} == {
        (Decimal("50.0000"), 1, base.pk)
    }


# --- pins ---------------------------------------------------------------------------------------


def test_an_active_pin_wins_and_the_computed_tier_is_kept_beside_it(tenant, now, manager_user):
    use_keys(tenant, ("revenue", 1, "min_max"))
    top, base = use_tiers(tenant, 50, 50)
    low, high = customer(tenant), customer(tenant)
    buy(low, 100)
    buy(high, 200)
    with scopes_disabled():
        TierPin.objects.create(
            tenant=tenant, customer=low, tier=top, reason="Stratejik ortak", pinned_by=manager_user
        )

    scores_recompute(tenant=tenant, now=now)

    row = scores(tenant)[low.pk]
    assert (row.tier_id, row.computed_tier_id, row.is_pinned) == (top.pk, base.pk, True)


def test_an_expired_pin_is_ignored(tenant, now, manager_user):
    use_keys(tenant, ("revenue", 1, "min_max"))
    top, base = use_tiers(tenant, 50, 50)
    low, high = customer(tenant), customer(tenant)
    buy(low, 100)
    buy(high, 200)
    with scopes_disabled():
        TierPin.objects.create(
            tenant=tenant,
            customer=low,
            tier=top,
            reason="Kampanya dönemi",
            until=now.date() - timedelta(days=1),
            pinned_by=manager_user,
        )

    scores_recompute(tenant=tenant, now=now)

    row = scores(tenant)[low.pk]
    assert (row.tier_id, row.is_pinned) == (base.pk, False)


# --- history, summaries, idempotency ---


def test_history_records_first_placement_and_later_moves_only(tenant, now):
    use_keys(tenant, ("revenue", 1, "min_max"))
    top, base = use_tiers(tenant, 50, 50)
    a, b = customer(tenant), customer(tenant)
    buy(a, 100)
    buy(b, 200)
    first = scores_recompute(tenant=tenant, now=now)
    buy(a, 500)  # a now 600 against b's 200: they swap

    second = scores_recompute(tenant=tenant, now=now)

    with scopes_disabled():
        moves = list(
            TierChange.objects.filter(run=second).values_list(
                "customer_id", "from_tier_id", "to_tier_id"
            )
        )
        transitions = set(
            RunTransitionSummary.objects.filter(run=second).values_list(
                "from_tier_id", "to_tier_id", "customers"
            )
        )
        assert TierChange.objects.filter(run=first).count() == 2
    assert sorted(moves) == sorted([(a.pk, base.pk, top.pk), (b.pk, top.pk, base.pk)])
    assert transitions == {(base.pk, top.pk, 1), (top.pk, base.pk, 1)}
    assert second.tier_changes == 2


def test_tier_summary_adds_up_revenue_and_margin_per_tier(tenant, now):
    use_keys(tenant, ("revenue", 1, "min_max"))
    top, base = use_tiers(tenant, 50, 50)
    a, b = customer(tenant), customer(tenant)
    buy(a, 100, cost=60)
    buy(b, 300, cost=100)
    buy(b, 50)  # no cost: in revenue, not in margin

    run = scores_recompute(tenant=tenant, now=now)

    with scopes_disabled():
        rows = {
            row.tier_id: (row.customers, row.revenue, row.margin)
            for row in RunTierSummary.objects.filter(run=run)
        }
    # b (350) is the peak, a (100) the base; margin b 300 − 100 = 200, a 100 − 60 = 40.
    assert rows == {
        top.pk: (1, Decimal("350.00"), Decimal("200.00")),
        base.pk: (1, Decimal("100.00"), Decimal("40.00")),
    }


def test_running_twice_on_the_same_data_gives_the_same_result_and_no_new_history(tenant, now):
    segmentation_defaults_ensure(tenant=tenant)
    customers = [customer(tenant) for _ in range(6)]
    for index, who in enumerate(customers):
        buy(who, 100 * (index + 1), cost=50, days_ago=index * 20)
    complain(customers[0])
    scores_recompute(tenant=tenant, now=now)
    before = {
        pk: (r.score, r.rank, r.tier_id, r.raw_values, r.contributions)
        for pk, r in scores(tenant).items()
    }
    with scopes_disabled():
        history = TierChange.objects.filter(tenant=tenant).count()

    again = scores_recompute(tenant=tenant, now=now)

    after = {
        pk: (r.score, r.rank, r.tier_id, r.raw_values, r.contributions)
        for pk, r in scores(tenant).items()
    }
    assert after == before
    with scopes_disabled():
        assert TierChange.objects.filter(tenant=tenant).count() == history
    assert again.tier_changes == 0


# --- safety: lock, rollback, tenants ---


def test_a_second_run_is_skipped_while_another_holds_the_tenants_lock(tenant, now):
    buy(customer(tenant), 100)
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    with psycopg.connect(**params, autocommit=True) as other:
        other.execute("SELECT pg_advisory_lock(%s, %s)", [RECOMPUTE_LOCK_CLASS, tenant.pk])

        run = scores_recompute(tenant=tenant, now=now)

        other.execute("SELECT pg_advisory_unlock(%s, %s)", [RECOMPUTE_LOCK_CLASS, tenant.pk])
    assert run.status == RunStatus.SKIPPED
    assert "already running" in run.error
    assert scores(tenant) == {}


def test_a_failing_step_rolls_back_and_keeps_the_previous_scores(tenant, now, monkeypatch):
    use_keys(tenant, ("revenue", 1, "min_max"))
    use_tiers(tenant, 100)
    a, b = customer(tenant), customer(tenant)
    buy(a, 100)
    buy(b, 200)
    scores_recompute(tenant=tenant, now=now)
    before = {pk: (r.score, r.tier_id) for pk, r in scores(tenant).items()}
    monkeypatch.setitem(
        METRICS,
        "broken",
        Metric(
            key="broken",
            label="Broken",
            help_text="",
            query="SELECT c.id AS customer_id, 1 / 0 AS raw_value FROM customers_customer c "
            "WHERE c.tenant_id = {tenant}",
        ),
    )
    with scopes_disabled():
        ValueKey.objects.create(tenant=tenant, metric="broken", weight=1, order=9)
    buy(a, 1000)  # would change the scores, if the run got through

    run = scores_recompute(tenant=tenant, now=now)

    assert run.status == RunStatus.FAILED
    assert "division by zero" in run.error
    assert run.finished_at is not None
    assert {pk: (r.score, r.tier_id) for pk, r in scores(tenant).items()} == before


def test_a_tenants_run_never_touches_another_tenants_rows(tenant, other_tenant, now):
    use_keys(other_tenant, ("revenue", 1, "min_max"))
    theirs = [customer(other_tenant), customer(other_tenant)]
    buy(theirs[0], 100)
    buy(theirs[1], 999)
    scores_recompute(tenant=other_tenant, now=now)
    their_before = {pk: (r.score, r.rank, r.run_id) for pk, r in scores(other_tenant).items()}
    use_keys(tenant, ("revenue", 1, "min_max"))
    ours = [customer(tenant), customer(tenant), customer(tenant)]
    for index, who in enumerate(ours):
        buy(who, 10 * (index + 1))

    run = scores_recompute(tenant=tenant, now=now)

    assert set(scores(tenant)) == {who.pk for who in ours}
    # Our top customer scores 100 on our own scale, not against the other tenant's 999.
    assert score_of(tenant, ours[2]) == Decimal("100.0000")
    assert {
        pk: (r.score, r.rank, r.run_id) for pk, r in scores(other_tenant).items()
    } == their_before
    assert run.customers_total == 3


def test_an_archived_customer_leaves_the_scores(tenant, now):
    a, b = customer(tenant), customer(tenant)
    buy(a, 100)
    buy(b, 200)
    scores_recompute(tenant=tenant, now=now)
    type(a).objects.with_scopes_disabled().filter(pk=a.pk).update(archived_at=now)

    scores_recompute(tenant=tenant, now=now)

    assert set(scores(tenant)) == {b.pk}


def test_the_panel_shows_no_pin_once_its_end_date_has_passed(tenant, manager_user):
    from django.utils import timezone

    from segmentation.selectors import customer_active_pin

    top, _base = use_tiers(tenant, 50, 50)
    pinned = customer(tenant)
    today = timezone.now().astimezone(tenant.zone).date()
    with scopes_disabled():
        pin = TierPin.objects.create(
            tenant=tenant, customer=pinned, tier=top, reason="Fuar", until=today,
            pinned_by=manager_user,
        )  # fmt: skip
        assert customer_active_pin(tenant=tenant, customer=pinned) == pin
        TierPin.objects.filter(pk=pin.pk).update(until=today - timedelta(days=1))
        assert customer_active_pin(tenant=tenant, customer=pinned) is None
