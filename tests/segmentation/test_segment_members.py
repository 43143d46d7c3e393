"""Segment membership (every criterion, and combinations), the facts and classes the
recompute writes, and freezing a segment into a snapshot: against tests/segmentation/
dashboard_base.py, worked out on paper."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django_scopes import scope, scopes_disabled

from crm.models import AuditEntry
from segmentation.models import (
    CustomerFacts,
    RunClassSummary,
    RunFigures,
    Segment,
    SegmentRunSize,
    SegmentSnapshotMember,
)
from segmentation.segment_selectors import (
    SegmentCriteria,
    criteria_figures,
    criteria_members,
    segment_member_count,
    segment_members,
)
from segmentation.services import (
    SegmentError,
    scores_recompute,
    segment_create,
    segment_snapshot_create,
)
from tests.segmentation import dashboard_base
from tests.segmentation.factories import NOW

pytestmark = pytest.mark.django_db


@pytest.fixture
def base(tenant):
    return dashboard_base.build(tenant)


def names(base, queryset) -> set[str]:
    by_id = {base[key].pk: key for key in "abcdefgh"}
    return {by_id[pk] for pk in queryset.values_list("pk", flat=True)}


def test_facts_hold_each_customers_growth_band_and_class(tenant, base):
    with scopes_disabled():
        facts = {row.customer_id: row for row in CustomerFacts.objects.filter(tenant=tenant)}
    got = {
        key: (facts[base[key].pk].growth_band, facts[base[key].pk].customer_class)
        for key in "abcdefg"
    }
    assert got == {
        "a": ("growing_fast", "most_important"),
        "b": ("growing_fast", "fastest_growing"),
        "c": ("steady", "current"),
        "d": ("new", "current"),
        "e": ("falling_fast", "potential"),
        "f": ("none", "potential"),
        "g": ("none", "other"),
    }
    assert base["h"].pk not in facts  # archived
    assert facts[base["a"].pk].growth_percent == Decimal("900.00")
    assert facts[base["b"].pk].growth_percent == Decimal("50.00")
    assert facts[base["e"].pk].growth_percent == Decimal("-100.00")
    assert facts[base["a"].pk].category_ids == [base["x"].pk]
    assert facts[base["b"].pk].category_ids == [base["y"].pk]  # X was bought before the window


@pytest.mark.parametrize("bits_max", [1, 63], ids=["separate scan", "bits of the scoring scan"])
def test_categories_bought_are_the_same_whichever_way_they_are_summed(
    tenant, base, monkeypatch, bits_max
):
    from segmentation.services import dashboard_summaries
    from tests.factories import ProductFactory
    from tests.segmentation.factories import buy

    # Two categories: with room for one bit only, the dashboard step scans them itself.
    monkeypatch.setattr(dashboard_summaries, "CATEGORY_BITS_MAX", bits_max)
    with scopes_disabled():
        product_of_x = ProductFactory(tenant=tenant, category=base["x"])
    buy(base["d"], 10, days_ago=5, product=product_of_x, category=None)  # X by its product
    scores_recompute(tenant=tenant, now=NOW)
    with scopes_disabled():
        bought = dict(
            CustomerFacts.objects.filter(tenant=tenant).values_list("customer", "category_ids")
        )
    x, y = base["x"].pk, base["y"].pk
    assert bought[base["a"].pk] == [x]
    assert bought[base["b"].pk] == [y]  # X was bought before the window
    assert bought[base["c"].pk] == [y]
    assert bought[base["d"].pk] == [x]
    assert bought[base["e"].pk] == bought[base["f"].pk] == []


def test_run_figures_compare_with_the_previous_run(tenant, base):
    with scopes_disabled():
        figures = RunFigures.objects.get(run=base["second"])
        first = RunFigures.objects.get(run=base["first"])
    assert (first.active, first.revenue, first.previous_active) == (1, Decimal("300.00"), 0)
    assert figures.customers == 7
    assert figures.active == 4
    assert figures.revenue == Decimal("2000.00")
    assert figures.margin == Decimal("810.00")
    assert figures.new_customers == 1  # D: a prospect in the first run
    assert (figures.retained, figures.previous_active) == (1, 1)  # C
    assert figures.average_score == Decimal("44.4445")  # (100 + 55.5556 + 22.2222 + 0) / 4


def test_class_summaries_count_customers_and_revenue(tenant, base):
    with scopes_disabled():
        rows = {
            row.customer_class: (row.customers, row.revenue)
            for row in RunClassSummary.objects.filter(run=base["second"])
        }
    assert rows == {
        "most_important": (1, Decimal("1000.00")),
        "fastest_growing": (1, Decimal("600.00")),
        "current": (2, Decimal("400.00")),
        "potential": (2, Decimal("0.00")),
        "other": (1, Decimal("0.00")),
    }


def test_class_thresholds_are_per_company(tenant, base):
    from segmentation.models import ClassSettings

    with scopes_disabled():
        ClassSettings.objects.create(tenant=tenant, peak_tiers=2, growth_percent=0, contact_days=3)
    scores_recompute(tenant=tenant, now=NOW)
    with scopes_disabled():
        classes = dict(
            CustomerFacts.objects.filter(tenant=tenant).values_list("customer_id", "customer_class")
        )
    assert classes[base["b"].pk] == "most_important"  # Level 2 is a peak tier now
    assert classes[base["c"].pk] == "fastest_growing"  # 0 % ≥ 0 %
    assert classes[base["f"].pk] == "other"  # contacted 5 days ago, not within 3


def _criteria(base, **kwargs) -> SegmentCriteria:
    t1, t2, t3 = base["tiers"]
    resolved = {}
    for key, value in kwargs.items():
        if key == "tiers":
            resolved["tier_ids"] = tuple({"t1": t1, "t2": t2, "t3": t3}[v].pk for v in value)
        elif key == "categories":
            resolved["category_ids"] = tuple(base[v].pk for v in value)
        else:
            resolved[key] = value
    return SegmentCriteria(**resolved)


CASES = [
    ({}, "abcdefg"),
    ({"tiers": ["t1"]}, "a"),
    ({"tiers": ["t3"]}, "cd"),
    ({"outside_groups": ("inactive",)}, "e"),
    ({"outside_groups": ("prospect",)}, "fg"),
    ({"tiers": ["t1"], "outside_groups": ("prospect",)}, "afg"),
    ({"regions": ("Ege",)}, "bf"),
    ({"cities": ("İstanbul",)}, "ad"),
    ({"industries": ("Building",)}, "cf"),
    ({"acquisition_channels": ("web",)}, "bcf"),
    ({"lifecycle_stages": ("at_risk", "lapsed")}, "ce"),
    ({"kinds": ("company",)}, "d"),
    ({"categories": ["y"]}, "bc"),
    ({"categories": ["x", "y"]}, "abc"),
    ({"growth_bands": ("growing_fast",)}, "ab"),
    ({"customer_classes": ("potential",)}, "ef"),
    ({"customer_classes": ("most_important", "fastest_growing")}, "ab"),
    ({"tags": ("toptan",)}, "cf"),
    ({"last_purchase_after": date(2026, 5, 16)}, "abd"),
    ({"last_purchase_before": date(2026, 5, 16)}, "ce"),
    ({"consent_channel": "email"}, "af"),
    ({"score_min": Decimal("50")}, "ab"),
    ({"score_max": Decimal("25")}, "cd"),
    ({"score_min": Decimal("22.2222"), "score_max": Decimal("55.5556")}, "bc"),
    # combinations
    ({"tiers": ["t2", "t3"], "acquisition_channels": ("web",)}, "bc"),
    ({"customer_classes": ("current",), "tags": ("vip",)}, "c"),
    (
        {
            "regions": ("Marmara",),
            "outside_groups": ("inactive",),
            "growth_bands": ("falling_fast",),
        },
        "e",
    ),
    ({"tiers": ["t3"], "kinds": ("person",), "lifecycle_stages": ("new",)}, ""),
]


@pytest.mark.parametrize(("criteria", "expected"), CASES)
def test_each_criterion_and_combination_selects_the_expected_customers(
    tenant, base, criteria, expected
):
    with scope(tenant=tenant):
        members = criteria_members(tenant=tenant, criteria=_criteria(base, **criteria))
        assert names(base, members) == set(expected)


def test_membership_is_one_query(tenant, base, django_assert_num_queries):
    criteria = _criteria(base, tiers=["t3"], regions=("Marmara",), categories=["y"])
    with scope(tenant=tenant), django_assert_num_queries(1):
        assert names(base, criteria_members(tenant=tenant, criteria=criteria)) == {"c"}


def test_figures_give_count_revenue_and_share_of_revenue(tenant, base):
    with scope(tenant=tenant):
        figures = criteria_figures(tenant=tenant, criteria=_criteria(base, tiers=["t3"]))
    # C 300 + D 100 of 2,000
    assert (figures.customers, figures.revenue, figures.revenue_share) == (
        2,
        Decimal("400.00"),
        Decimal("20.00"),
    )


def _segment(tenant, base, manager_user, **data):
    with scope(tenant=tenant):
        return segment_create(
            tenant=tenant, actor=manager_user, data={"name": "Büyüyenler", **data}
        )


def test_a_saved_segment_with_tiers_and_categories(tenant, base, manager_user):
    segment = _segment(
        tenant,
        base,
        manager_user,
        tiers=[base["tiers"][1], base["tiers"][2]],
        categories=[base["y"]],
        strategy_type="grow",
        strategy="Sepeti büyüt",
    )
    with scope(tenant=tenant):
        assert names(base, segment_members(tenant=tenant, segment=segment)) == {"b", "c"}
        assert segment_member_count(tenant=tenant, segment=segment) == 2
    with scopes_disabled():
        assert AuditEntry.objects.filter(action="segmentation.segment.created").count() == 1


def test_a_segment_name_is_unique_per_company(tenant, base, manager_user):
    _segment(tenant, base, manager_user)
    with pytest.raises(SegmentError, match="already exists"):
        _segment(tenant, base, manager_user)


def test_tiers_of_another_company_are_refused(tenant, other_tenant, base, manager_user):
    from tests.segmentation.factories import use_tiers

    foreign = use_tiers(other_tenant, 100)
    with pytest.raises(SegmentError):
        _segment(tenant, base, manager_user, tiers=foreign)


def test_snapshot_freezes_the_members_with_tier_and_score(tenant, base, manager_user):
    segment = _segment(tenant, base, manager_user, growth_bands=["growing_fast"])
    with scope(tenant=tenant):
        snapshot = segment_snapshot_create(tenant=tenant, segment=segment, actor=manager_user)
    with scopes_disabled():
        rows = {
            (row.customer_id, row.tier_id, row.score)
            for row in SegmentSnapshotMember.objects.filter(snapshot=snapshot)
        }
        assert AuditEntry.objects.filter(action="segmentation.segment.frozen").count() == 1
    t1, t2, _ = base["tiers"]
    assert rows == {
        (base["a"].pk, t1.pk, Decimal("100.0000")),
        (base["b"].pk, t2.pk, Decimal("55.5556")),
    }
    assert snapshot.members_count == 2
    assert snapshot.run == base["second"]
    # Frozen: changing the segment later leaves the snapshot as it was.
    with scopes_disabled():
        Segment.objects.filter(pk=segment.pk).update(growth_bands=["steady"])
        assert SegmentSnapshotMember.objects.filter(snapshot=snapshot).count() == 2


def test_recompute_records_each_segments_size(tenant, base, manager_user):
    segment = _segment(tenant, base, manager_user, regions=["Marmara"])
    run = scores_recompute(tenant=tenant, now=NOW)
    with scopes_disabled():
        size = SegmentRunSize.objects.get(segment=segment, run=run)
    # A, C, D, E are in Marmara (H is archived): revenue 1000 + 300 + 100 + 0
    assert (size.customers, size.revenue) == (4, Decimal("1400.00"))


def test_facts_are_rewritten_only_where_they_changed(tenant, base):
    from django.utils import timezone

    def last_changed_by() -> dict[int, int]:
        with scopes_disabled():
            return dict(CustomerFacts.objects.filter(tenant=tenant).values_list("customer", "run"))

    before = last_changed_by()
    assert base["second"].pk in before.values()  # A, B, D changed in the second run
    third = scores_recompute(tenant=tenant, now=NOW)  # the same data again: nothing changes
    assert last_changed_by() == before
    with scopes_disabled():
        base["c"].archived_at = timezone.now()
        base["c"].save(update_fields=["archived_at"])
    scores_recompute(tenant=tenant, now=NOW)
    with scopes_disabled():
        customers = set(
            CustomerFacts.objects.filter(tenant=tenant).values_list("customer", flat=True)
        )
    assert base["c"].pk not in customers and len(customers) == 6
    assert third.status == "succeeded"
