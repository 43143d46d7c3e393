"""Earning: rules and tier multipliers on hand-computed purchases, exactly once."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from customers.models import ImportKind, TransactionStatus
from customers.services import transaction_record
from loyalty import sql
from loyalty.models import BonusRule, EntryKind, Member, PointsEntry
from loyalty.services.ledger import points_earn
from tests.customers.import_support import english, media_root, run_import  # noqa: F401
from tests.factories import CustomerFactory, ProductCategoryFactory
from tests.loyalty.factories import buy, tier_for

pytestmark = pytest.mark.usefixtures("tenant_scope", "programme")


def _points(customer) -> tuple[int, int]:
    member = Member.objects.get(customer=customer)
    return member.available, member.pending


def test_a_purchase_earns_pending_points_rounded_down(tenant, ayse):
    sale = buy(ayse, "123.45")

    result = points_earn(tenant=tenant, transaction_ids=[sale.pk])

    assert (result.enrolled, result.entries, result.points) == (1, 1, 123)
    assert _points(ayse) == (0, 123)
    entry = PointsEntry.objects.get(transaction=sale)
    assert (entry.kind, entry.pending_delta, entry.available_delta) == (EntryKind.EARN, 123, 0)


def test_points_per_unit_and_the_tier_multiplier_multiply(tenant, programme, ayse):
    programme.points_per_unit = Decimal("1.5")
    programme.save()
    tier_for(ayse, name="Platin", position=1, multiplier="2")
    sale = buy(ayse, "100.00")

    points_earn(tenant=tenant, transaction_ids=[sale.pk])

    assert _points(ayse) == (0, 300)  # 100 × 1.5 × 2


def test_the_largest_matching_bonus_rule_applies_and_rules_do_not_stack(tenant, ayse):
    tier_for(ayse, name="Altın", position=2, multiplier="1.5")
    electronics = ProductCategoryFactory(tenant=tenant, name="Elektronik")
    BonusRule.objects.create(tenant=tenant, name="Elektronik", multiplier="2", category=electronics)
    BonusRule.objects.create(tenant=tenant, name="Web", multiplier="3", channel="web")
    BonusRule.objects.create(tenant=tenant, name="Kapalı", multiplier="10", is_active=False)
    store = buy(ayse, "100.00", category=electronics, channel="store")
    web = buy(ayse, "100.00", category=electronics, channel="web")
    plain = buy(ayse, "100.00", channel="store")

    points_earn(tenant=tenant, transaction_ids=[store.pk, web.pk, plain.pk])

    earned = dict(PointsEntry.objects.values_list("transaction_id", "pending_delta"))
    # store: 100 × 1.5 × 2 = 300; web: 100 × 1.5 × max(2, 3) = 450; plain: 100 × 1.5 = 150
    assert earned == {store.pk: 300, web.pk: 450, plain.pk: 150}


def test_a_dated_bonus_rule_applies_only_inside_its_dates(tenant, ayse):
    sale_old = buy(ayse, "10.00", days_ago=40)
    sale_new = buy(ayse, "10.00", days_ago=1)
    today = timezone.localdate(timezone=tenant.zone)
    BonusRule.objects.create(
        tenant=tenant, name="Kampanya", multiplier="5", starts_on=today - timedelta(days=5)
    )

    points_earn(tenant=tenant, transaction_ids=[sale_old.pk, sale_new.pk])

    earned = dict(PointsEntry.objects.values_list("transaction_id", "pending_delta"))
    assert earned == {sale_old.pk: 10, sale_new.pk: 50}


def test_refunded_cost_share_and_pre_programme_purchases_earn_nothing(tenant, programme, ayse):
    refunded = buy(ayse, "50", status=TransactionStatus.REFUNDED)
    shared = buy(ayse, "50", kind="cost_share")
    before = buy(ayse, "50", days_ago=365 * 8)

    result = points_earn(tenant=tenant, transaction_ids=[refunded.pk, shared.pk, before.pk])

    assert result.entries == 0
    assert not PointsEntry.objects.exists()


def test_earning_twice_for_the_same_sale_earns_once(tenant, ayse):
    sale = buy(ayse, "80")

    points_earn(tenant=tenant, transaction_ids=[sale.pk])
    second = points_earn(tenant=tenant, transaction_ids=[sale.pk])

    assert second.entries == 0
    assert _points(ayse) == (0, 80)
    assert PointsEntry.objects.count() == 1


def test_welcome_bonus_once_at_enrolment(tenant, programme, ayse):
    programme.welcome_bonus = 25
    programme.save()

    points_earn(tenant=tenant, transaction_ids=[buy(ayse, "10").pk])
    points_earn(tenant=tenant, transaction_ids=[buy(ayse, "10").pk])

    assert _points(ayse) == (25, 20)


def test_consent_enrolment_skips_buyers_without_consent(tenant, programme):
    programme.enrolment = "consented"
    programme.save()
    silent = CustomerFactory(tenant=tenant)
    agreed = CustomerFactory(tenant=tenant, consent_sms=True)

    points_earn(tenant=tenant, transaction_ids=[buy(silent, "10").pk, buy(agreed, "10").pk])

    assert list(Member.objects.values_list("customer_id", flat=True)) == [agreed.pk]


def test_a_member_who_left_earns_no_more(tenant, ayse):
    points_earn(tenant=tenant, transaction_ids=[buy(ayse, "10").pk])
    Member.objects.filter(customer=ayse).update(left_at="2026-01-01T00:00Z")

    result = points_earn(tenant=tenant, transaction_ids=[buy(ayse, "10").pk])

    assert result.entries == 0


@pytest.mark.django_db(transaction=True)
def test_a_sale_on_the_customer_page_earns_through_the_hook(tenant, ayse):
    transaction_record(tenant=tenant, actor=None, customer=ayse, amount=Decimal("42.90"))

    assert _points(ayse) == (0, 42)


TRANSACTIONS = "İşlem No;Müşteri No;Tarih;Tutar\nS1;M1;15.03.2024;100,00\nS2;M1;16.03.2024;50,50\n"


@pytest.mark.usefixtures("media_root", "english")
def test_an_import_reimport_and_double_delivery_earn_once(
    tenant, tmp_path, django_capture_on_commit_callbacks
):
    customer = CustomerFactory(tenant=tenant, external_id="M1")

    with django_capture_on_commit_callbacks(execute=True):
        job = run_import(tenant, ImportKind.TRANSACTIONS, TRANSACTIONS.encode(), tmp_path)
    with django_capture_on_commit_callbacks(execute=True):
        run_import(tenant, ImportKind.TRANSACTIONS, TRANSACTIONS.encode(), tmp_path, "b.csv")
    again = points_earn(tenant=tenant, import_job_id=job.pk)  # the task delivered twice

    assert again.entries == 0
    assert _points(customer) == (0, 150)  # 100 + 50 (50.50 rounded down)
    assert PointsEntry.objects.aggregate(total=Sum("pending_delta"))["total"] == 150


def _earning_statements(queries) -> list[str]:
    return [query["sql"] for query in queries if "INSERT INTO loyalty_pointsentry" in query["sql"]]


def test_a_first_earning_writes_without_on_conflict(tenant, ayse):
    sales = [buy(ayse, "10").pk, buy(ayse, "20").pk]

    with CaptureQueriesContext(connection) as queries:
        result = points_earn(tenant=tenant, transaction_ids=sales)

    assert (result.entries, result.points) == (2, 30)
    [statement] = _earning_statements(queries.captured_queries)
    assert "ON CONFLICT DO NOTHING" not in statement


def test_a_first_earning_enrols_credits_the_welcome_bonus_and_earns_in_one_statement(
    tenant, programme, ayse
):
    programme.welcome_bonus = 15
    programme.save()
    other = CustomerFactory(tenant=tenant)
    sales = [buy(ayse, "10").pk, buy(ayse, "20").pk, buy(other, "7").pk]

    with CaptureQueriesContext(connection) as queries:
        result = points_earn(tenant=tenant, transaction_ids=sales)

    assert (result.enrolled, result.entries, result.points) == (2, 3, 37)
    assert len(_earning_statements(queries.captured_queries)) == 1
    assert _points(ayse) == (15, 30) and _points(other) == (15, 7)
    assert PointsEntry.objects.filter(source="welcome", available_delta=15).count() == 2


def test_earning_again_goes_straight_to_on_conflict(tenant, ayse):
    sale = buy(ayse, "10")
    points_earn(tenant=tenant, transaction_ids=[sale.pk])

    with CaptureQueriesContext(connection) as queries:
        again = points_earn(tenant=tenant, transaction_ids=[sale.pk, buy(ayse, "5").pk])

    assert (again.entries, again.points) == (1, 5)
    [statement] = _earning_statements(queries.captured_queries)
    assert "ON CONFLICT DO NOTHING" in statement


def test_a_purchase_that_earned_unseen_makes_the_fast_path_retry_and_earn_the_rest(
    tenant, ayse, monkeypatch
):
    # The sample looks at 100 purchases only (or misses a concurrent earning): the fast path
    # then meets the key of a purchase that earned, fails as a whole, and the retry earns the
    # others once; balances move once.
    earned = buy(ayse, "40")
    points_earn(tenant=tenant, transaction_ids=[earned.pk])
    monkeypatch.setattr(sql, "EARNED_SAMPLE", "SELECT false")
    new = buy(ayse, "25")

    with CaptureQueriesContext(connection) as queries:
        result = points_earn(tenant=tenant, transaction_ids=[earned.pk, new.pk])

    assert (result.entries, result.points) == (1, 25)
    fast, retry = _earning_statements(queries.captured_queries)
    assert "ON CONFLICT DO NOTHING" not in fast and "ON CONFLICT DO NOTHING" in retry
    assert _points(ayse) == (0, 65)
    assert dict(PointsEntry.objects.values_list("transaction_id", "pending_delta")) == {
        earned.pk: 40,
        new.pk: 25,
    }


def test_another_integrity_error_on_the_fast_path_is_not_swallowed(tenant, ayse, monkeypatch):
    # Only the key's unique violation sends earning to the retry; any other broken
    # constraint is an error (here: a points-less entry, refused by loyalty_entry_moves_points).
    monkeypatch.setattr(
        sql, "EARN_AND_ENROL", sql.EARN_AND_ENROL.replace("p.points > 0", "p.points >= 0")
    )
    sale = buy(ayse, "0.50")

    with pytest.raises(IntegrityError):
        points_earn(tenant=tenant, transaction_ids=[sale.pk])


def _setting(name: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting(%s)", [name])
        return cursor.fetchone()[0]


def _settings_per_statement(monkeypatch) -> list[tuple[str, str, str]]:
    """(first words of the statement, jit, enable_nestloop) for each statement of earning."""
    from loyalty.services import ledger

    seen = []
    run = ledger._rows

    def rows_noting_settings(statement, params):
        seen.append((statement, _setting("jit"), _setting("enable_nestloop")))
        return run(statement, params)

    monkeypatch.setattr(ledger, "_rows", rows_noting_settings)
    return seen


def test_earning_statements_run_without_jit_and_the_setting_comes_back(tenant, ayse, monkeypatch):
    # Priced far above jit_optimize_above_cost, earning was compiled on every run (seconds).
    seen = _settings_per_statement(monkeypatch)
    before = _setting("jit")

    points_earn(tenant=tenant, transaction_ids=[buy(ayse, "10").pk])

    assert seen and {jit for _statement, jit, _nestloop in seen} == {"off"}
    assert _setting("jit") == before


def test_a_bulk_first_earning_joins_without_nested_loops_a_sale_with_them(
    tenant, ayse, monkeypatch
):
    # Before its purchases are analysed, the fast path's joins of its CTEs were planned as
    # nested loops (quadratic on an import); the sample, and a sale's few ids, keep them.
    seen = _settings_per_statement(monkeypatch)
    buy(ayse, "10")

    points_earn(tenant=tenant, occurred_since=timezone.now() - timedelta(days=1))
    points_earn(tenant=tenant, transaction_ids=[buy(ayse, "20").pk])

    fast_paths = {
        sql.EARN_AND_ENROL.format(filter=sql.TRANSACTION_FILTERS["recent"]): "bulk",
        sql.EARN_AND_ENROL.format(filter=sql.TRANSACTION_FILTERS["ids"]): "sale",
    }
    assert [(fast_paths.get(statement, "sample"), nestloop) for statement, _, nestloop in seen] == [
        ("sample", "on"),
        ("bulk", "off"),
        ("sample", "on"),
        ("sale", "on"),
    ]
    assert _setting("enable_nestloop") == "on"
