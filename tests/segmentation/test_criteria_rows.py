"""The segment criteria rows (CriteriaRow, migration 0013): the builder's live count reads them
instead of the customers, facts and scores, so they must always say what those say — whoever
writes the sources — and count exactly the members `criteria_members` lists."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from importlib import import_module

import pytest
from django.db import connection
from django.db.models import Sum
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from customers.models import Customer
from segmentation.models import (
    CRITERIA_CODES,
    CriteriaRow,
    CustomerFacts,
    CustomerScore,
    Segment,
    criteria_code,
)
from segmentation.segment_selectors import (
    SegmentCriteria,
    criteria_figures,
    criteria_members,
    criteria_rows,
)
from segmentation.services import scores_recompute, segment_customers_add
from segmentation.sql import criteria_code_sql
from tests.factories import CustomerFactory
from tests.segmentation import dashboard_base
from tests.segmentation.factories import NOW
from tests.segmentation.test_segment_members import CASES, _criteria, names

pytestmark = pytest.mark.django_db


def _code(column: str, expression: str) -> str:
    return criteria_code_sql(expression, CRITERIA_CODES[column])


# What every criteria row must equal: its customer's fields, facts and score band (no tags
# and no categories as NULL; choices as their codes).
SOURCES = f"""
SELECT c.id, c.tenant_id, c.archived_at IS NOT NULL, c.consent_email, c.consent_sms,
       c.consent_phone, {_code("kind", "c.kind")}, {_code("lifecycle_stage", "c.lifecycle_stage")},
       {_code("acquisition_channel", "c.acquisition_channel")}, c.region, c.city,
       c.industry, nullif(c.tags, '{{}}'), {_code("status", "f.status")}, f.tier_id,
       {_code("customer_class", "f.customer_class")}, {_code("growth_band", "f.growth_band")},
       f.revenue, f.last_purchase_at, nullif(f.category_ids, '{{}}'), s.score_band
FROM customers_customer c
LEFT JOIN segmentation_customerfacts f ON f.customer_id = c.id
LEFT JOIN segmentation_customerscore s ON s.customer_id = c.id
ORDER BY c.id
"""
ROWS = """
SELECT customer_id, tenant_id, archived, consent_email, consent_sms, consent_phone, kind,
       lifecycle_stage, acquisition_channel, region, city, industry, tags, status, tier_id,
       customer_class, growth_band, revenue, last_purchase_at, category_ids, score_band
FROM segmentation_criteriarow
ORDER BY customer_id
"""


def assert_rows_equal_their_sources() -> None:
    with scopes_disabled(), connection.cursor() as cursor:
        cursor.execute(SOURCES)
        expected = cursor.fetchall()
        cursor.execute(ROWS)
        assert cursor.fetchall() == expected


@pytest.fixture
def base(tenant):
    return dashboard_base.build(tenant)


# Score bounds on and around the scores (A 100, B 55.5556, C 22.2222, D 0; E, F, G none):
# whole bounds, bounds inside a band, on a score and just off it.
SCORE_CASES = [
    ({"score_min": Decimal("55.5556")}, "ab"),
    ({"score_min": Decimal("55.5557")}, "a"),
    ({"score_min": Decimal("55")}, "ab"),
    ({"score_min": Decimal("0")}, "abcd"),
    ({"score_min": Decimal("100")}, "a"),
    ({"score_max": Decimal("55.5556")}, "bcd"),
    ({"score_max": Decimal("55.5555")}, "cd"),
    ({"score_max": Decimal("22")}, "d"),
    ({"score_max": Decimal("0")}, "d"),
    ({"score_max": Decimal("100")}, "abcd"),
    ({"score_min": Decimal("22.2222"), "score_max": Decimal("22.2222")}, "c"),
    ({"score_min": Decimal("22.5"), "score_max": Decimal("55.9")}, "b"),
    ({"score_min": Decimal("40"), "consent_channel": "email"}, "a"),
]


@pytest.mark.parametrize(("criteria", "expected"), CASES + SCORE_CASES)
def test_live_figures_count_and_sum_exactly_the_members(tenant, base, criteria, expected):
    criteria = _criteria(base, **criteria)
    with scope(tenant=tenant):
        members = criteria_members(tenant=tenant, criteria=criteria)
        figures = criteria_figures(tenant=tenant, criteria=criteria)
        assert names(base, members) == set(expected)
        assert {row.customer_id for row in criteria_rows(tenant=tenant, criteria=criteria)} == {
            base[key].pk for key in expected
        }
        revenue = members.aggregate(total=Sum("facts__revenue"))["total"] or Decimal(0)
    assert figures.customers == len(expected)
    assert figures.revenue == revenue


def test_live_figures_count_a_segments_hand_picked_customers(tenant, base, manager_user):
    with scope(tenant=tenant):
        segment = Segment.objects.create(tenant=tenant, name="Ege", regions=["Ege"])
        segment_customers_add(
            tenant=tenant, actor=manager_user, segment=segment, customer_ids=[base["g"].pk]
        )
        criteria = SegmentCriteria.of(segment)
        figures = criteria_figures(tenant=tenant, criteria=criteria, segment_id=segment.pk)
        members = criteria_members(tenant=tenant, criteria=criteria, segment_id=segment.pk)
        assert names(base, members) == {"b", "f", "g"}
    assert figures.customers == 3
    assert figures.revenue == Decimal("600.00")  # B's window; F and G bought nothing


def test_every_customer_has_a_row_equal_to_its_fields_facts_and_score(tenant, base):
    assert_rows_equal_their_sources()
    with scopes_disabled():
        row = CriteriaRow.objects.get(customer=base["b"])
    assert (row.region, row.customer_class, row.growth_band, row.score_band) == (
        "Ege",
        criteria_code("customer_class", "fastest_growing"),
        criteria_code("growth_band", "growing_fast"),
        55,
    )
    assert row.revenue == Decimal("600.00")


def test_a_new_customer_gets_a_row_without_facts(tenant):
    new = CustomerFactory(tenant=tenant, region="Ege", tags=["vip"], consent_sms=True)
    with scopes_disabled():
        row = CriteriaRow.objects.get(customer=new)
    assert (row.tenant_id, row.region, row.tags, row.consent_sms) == (
        tenant.pk,
        "Ege",
        ["vip"],
        True,
    )
    assert (row.status, row.tier_id, row.score_band, row.revenue) == (None, None, None, None)
    assert_rows_equal_their_sources()


def test_editing_a_customer_updates_its_row(tenant, base):
    with scopes_disabled():
        who = Customer.objects.get(pk=base["g"].pk)
        who.region, who.city, who.tags, who.consent_phone = "Ege", "İzmir", ["yeni"], True
        who.lifecycle_stage = "active"
        who.save()
        Customer.objects.filter(pk=base["c"].pk).update(
            industry="Retail", acquisition_channel="referral"
        )
    assert_rows_equal_their_sources()
    with scope(tenant=tenant):
        criteria = SegmentCriteria(regions=("Ege",), tags=("yeni",))
        assert criteria_figures(tenant=tenant, criteria=criteria).customers == 1


def test_archiving_and_restoring_a_customer_takes_it_out_of_the_count_and_back(tenant, base):
    everyone = SegmentCriteria()
    with scopes_disabled():
        Customer.objects.filter(pk=base["b"].pk).update(archived_at=timezone.now())
    with scope(tenant=tenant):
        assert criteria_figures(tenant=tenant, criteria=everyone).customers == 6
    with scopes_disabled():
        Customer.objects.filter(pk=base["b"].pk).update(archived_at=None)
    with scope(tenant=tenant):
        assert criteria_figures(tenant=tenant, criteria=everyone).customers == 7
    assert_rows_equal_their_sources()


def test_deleting_a_customer_deletes_its_row(tenant, base):
    with scopes_disabled():
        Customer.objects.filter(pk=base["g"].pk).delete()
        assert not CriteriaRow.objects.filter(customer_id=base["g"].pk).exists()
    assert_rows_equal_their_sources()


def test_a_recompute_carries_the_new_facts_and_score_bands(tenant, base):
    from tests.segmentation.factories import buy

    buy(base["d"], 2000, days_ago=1)
    with scopes_disabled():
        Customer.objects.filter(pk=base["a"].pk).update(archived_at=timezone.now())
    run = scores_recompute(tenant=tenant, now=NOW)
    assert run.status == "succeeded", run.error
    assert_rows_equal_their_sources()
    with scopes_disabled():
        d = CriteriaRow.objects.get(customer=base["d"])
        a = CriteriaRow.objects.get(customer=base["a"])
    assert (d.score_band, d.revenue) == (100, Decimal("2100.00"))
    # Archived: the recompute dropped A's score and facts, and the row says so.
    assert (a.archived, a.status, a.score_band) == (True, None, None)


def test_facts_and_scores_written_outside_a_recompute_are_followed(tenant, base):
    with scopes_disabled():
        CustomerFacts.objects.filter(customer=base["c"]).update(
            customer_class="potential", revenue=Decimal("1.50")
        )
        CustomerScore.objects.filter(customer=base["c"]).update(score=Decimal("71.5"))
        assert_rows_equal_their_sources()
        CustomerScore.objects.filter(customer=base["c"]).delete()
        CustomerFacts.objects.filter(customer=base["c"]).delete()
    assert_rows_equal_their_sources()


def test_another_companys_rows_are_invisible_and_uncounted(tenant, other_tenant, base):
    CustomerFactory(tenant=other_tenant, region="Ege")
    with scope(tenant=other_tenant):
        assert criteria_figures(tenant=other_tenant, criteria=SegmentCriteria()).customers == 1
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM segmentation_criteriarow")
            assert cursor.fetchone()[0] == 1  # row-level security: its own row only
    with scope(tenant=tenant):
        assert criteria_figures(tenant=tenant, criteria=SegmentCriteria()).customers == 7


def test_the_migrations_codes_are_the_choices_of_today():
    # The triggers (migration 0014) and the recompute (CRITERIA_CODES) must encode alike: a new
    # choice needs a migration that re-encodes the rows and replaces the triggers.
    migration = import_module("segmentation.migrations.0014_criteria_row_codes")
    assert migration.CODES == CRITERIA_CODES


def test_a_value_outside_the_choices_is_code_zero_and_matches_no_criterion(tenant, base):
    with scopes_disabled():
        Customer.objects.filter(pk=base["g"].pk).update(acquisition_channel="")
        row = CriteriaRow.objects.get(customer=base["g"])
    assert row.acquisition_channel == 0
    assert_rows_equal_their_sources()
    with scope(tenant=tenant):
        criteria = SegmentCriteria(acquisition_channels=("web", "referral", "other"))
        assert base["g"].pk not in {
            row.customer_id for row in criteria_rows(tenant=tenant, criteria=criteria)
        }


# The values of a criteria row the recompute writes (facts and score band), per customer.
RUN_COLUMNS = """
SELECT customer_id, status, tier_id, customer_class, growth_band, revenue, last_purchase_at,
       category_ids, score_band, xmin::text
FROM segmentation_criteriarow
ORDER BY customer_id
"""


def _run_columns() -> dict[int, tuple]:
    with scopes_disabled(), connection.cursor() as cursor:
        cursor.execute(RUN_COLUMNS)
        return {row[0]: row[1:] for row in cursor.fetchall()}


def _summaries(run) -> tuple:
    from segmentation.models import RunClassSummary, RunDimensionSummary

    with scopes_disabled():
        dimensions = sorted(
            RunDimensionSummary.objects.filter(run=run).values_list(
                "dimension",
                "value",
                "tier_id",
                "status",
                "customers",
                "revenue",
                "margin",
                "score_sum",
                "scored",
            ),
            key=str,
        )
        classes = sorted(
            RunClassSummary.objects.filter(run=run).values_list(
                "customer_class", "customers", "revenue", "margin"
            )
        )
    return dimensions, classes


def _facts() -> list[tuple]:
    with scopes_disabled():
        return list(
            CustomerFacts.objects.order_by("customer_id").values_list(
                "customer_id",
                "status",
                "tier_id",
                "revenue",
                "margin",
                "growth_revenue",
                "previous_revenue",
                "growth_percent",
                "growth_band",
                "customer_class",
                "last_purchase_at",
                "category_ids",
            )
        )


# Both ways to the touched rows: a hash join (many touched), their primary key (few touched).
@pytest.mark.parametrize("index_share", [0.0, 1.0])
def test_a_run_rewrites_exactly_the_criteria_rows_whose_facts_or_band_changed(
    tenant, base, index_share, monkeypatch
):
    # A night where a few customers change: D buys (its revenue, score, class move, and with
    # the normalisation other scores too), F is contacted no more (its class moves), and a new
    # customer appears. Only the rows whose values differ are rewritten (xmin), and they end
    # equal to their sources.
    from segmentation.models import Tier
    from segmentation.services import dashboard_summaries
    from tests.factories import InteractionFactory
    from tests.segmentation.factories import buy, customer

    monkeypatch.setattr(dashboard_summaries, "TOUCHED_BY_INDEX_SHARE", index_share)
    before = _run_columns()
    buy(base["d"], 2000, days_ago=1)
    newcomer = customer(tenant, region="Ege")
    buy(newcomer, 50, days_ago=3)
    with scopes_disabled():
        from customers.models import Interaction

        Interaction.objects.filter(customer=base["f"]).delete()
        InteractionFactory(customer=base["e"], tenant=tenant, occurred_at=NOW - timedelta(days=2))
        assert Tier.objects.filter(tenant=tenant).exists()
    after_writes = _run_columns()  # the newcomer's row (from its customer's trigger)
    run = scores_recompute(tenant=tenant, now=NOW)
    assert run.status == "succeeded", run.error
    assert_rows_equal_their_sources()
    after = _run_columns()
    changed = {
        customer_id
        for customer_id, values in after.items()
        if values[:-1] != after_writes[customer_id][:-1]
    }
    rewritten = {
        customer_id
        for customer_id, values in after.items()
        if values[-1] != after_writes[customer_id][-1]
    }
    assert base["d"].pk in changed and newcomer.pk in changed
    assert base["f"].pk in changed
    assert base["g"].pk not in changed  # an unchanged customer keeps its row untouched
    assert rewritten == changed
    assert set(before) | {newcomer.pk} == set(after)

    # The same figures as a run from scratch (no stored scores or facts: every row computed).
    incremental = (_facts(), _summaries(run))
    with scopes_disabled():
        CustomerScore.objects.all().delete()
        CustomerFacts.objects.all().delete()
    scratch = scores_recompute(tenant=tenant, now=NOW)
    assert scratch.status == "succeeded", scratch.error
    assert_rows_equal_their_sources()
    assert (_facts(), _summaries(scratch)) == incremental


def test_a_run_with_nothing_changed_rewrites_no_criteria_row(tenant, base):
    before = _run_columns()
    run = scores_recompute(tenant=tenant, now=NOW)
    assert run.status == "succeeded", run.error
    assert _run_columns() == before
    assert_rows_equal_their_sources()
