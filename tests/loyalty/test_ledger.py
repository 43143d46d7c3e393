"""The ledger: release after the return window, refund reversals, FIFO expiry, adjustments,
and the database's own guarantees (append-only, no negative balance)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from crm.models import AuditEntry
from loyalty.models import EntryKind, Member, PointsEntry
from loyalty.services import LoyaltyError
from loyalty.services.ledger import (
    expiring_points,
    points_adjust,
    points_earn,
    points_expire,
    points_release,
    points_reverse_refunded,
    points_reverse_transaction,
)
from loyalty.services.nightly import loyalty_nightly_run
from loyalty.services.rewards import reward_redeem
from tests.loyalty.factories import RewardFactory, buy

pytestmark = pytest.mark.usefixtures("tenant_scope", "programme")


def _member(customer) -> Member:
    return Member.objects.get(customer=customer)


def _earn(tenant, customer, amount, *, days_ago: float = 0):
    sale = buy(customer, amount, days_ago=days_ago)
    points_earn(tenant=tenant, transaction_ids=[sale.pk])
    return sale


def _balances(customer) -> tuple[int, int]:
    member = _member(customer)
    return member.available, member.pending


def _ledger_sums(customer) -> tuple[int, int]:
    sums = PointsEntry.objects.filter(member__customer=customer).aggregate(
        available=Sum("available_delta"), pending=Sum("pending_delta")
    )
    return sums["available"], sums["pending"]


def test_points_become_available_after_the_return_window_only(tenant, ayse):
    _earn(tenant, ayse, 100, days_ago=15)
    _earn(tenant, ayse, 40, days_ago=3)

    released = points_release(tenant=tenant)

    assert released == 100
    assert _balances(ayse) == (100, 40)
    assert _ledger_sums(ayse) == (100, 40)


def test_release_twice_releases_once(tenant, ayse):
    _earn(tenant, ayse, 100, days_ago=15)

    points_release(tenant=tenant)
    assert points_release(tenant=tenant) == 0
    assert _balances(ayse) == (100, 0)


def test_a_refund_inside_the_window_cancels_the_pending_points(tenant, ayse):
    sale = _earn(tenant, ayse, 100, days_ago=3)
    _earn(tenant, ayse, 30, days_ago=2)

    entry = points_reverse_transaction(tenant=tenant, transaction_id=sale.pk)
    again = points_reverse_transaction(tenant=tenant, transaction_id=sale.pk)

    assert (entry.pending_delta, entry.available_delta) == (-100, 0)
    assert again.pk == entry.pk
    assert _balances(ayse) == (0, 30)
    # Reversed inside the window: the nightly release later has nothing of it to release.
    assert points_release(tenant=tenant, now=timezone.now() + timedelta(days=20)) == 30
    assert _balances(ayse) == (30, 0)


def test_a_refund_after_the_window_takes_back_available_points_never_more(tenant, ayse):
    sale = _earn(tenant, ayse, 100, days_ago=20)
    _earn(tenant, ayse, 50, days_ago=20)
    points_release(tenant=tenant)
    RewardFactory(tenant=tenant, points_cost=120)
    reward = RewardFactory(tenant=tenant, points_cost=120)
    reward_redeem(tenant=tenant, actor=None, customer=ayse, reward_id=reward.pk, request_key="r1")
    assert _balances(ayse) == (30, 0)

    entry = points_reverse_transaction(tenant=tenant, transaction_id=sale.pk)

    # 100 were earned, 30 are left: those 30 are taken back, the rest was already spent.
    assert entry.available_delta == -30
    assert "70 of its points were already spent" in entry.reason
    assert _balances(ayse) == (0, 0)


def test_the_nightly_sweep_reverses_purchases_refunded_later(tenant, ayse):
    sale = _earn(tenant, ayse, 100, days_ago=3)
    type(sale).objects.filter(pk=sale.pk).update(status="refunded")

    assert points_reverse_refunded(tenant=tenant) == 1
    assert points_reverse_refunded(tenant=tenant) == 0
    assert _balances(ayse) == (0, 0)


def test_fifo_expiry_takes_the_oldest_unspent_points_and_leaves_pending_ones(tenant, ayse):
    _earn(tenant, ayse, 100, days_ago=400)  # expired 35 days ago
    _earn(tenant, ayse, 50, days_ago=20)  # available, expires in 11 months
    _earn(tenant, ayse, 30, days_ago=2)  # pending
    points_release(tenant=tenant)
    reward = RewardFactory(tenant=tenant, points_cost=60)
    reward_redeem(tenant=tenant, actor=None, customer=ayse, reward_id=reward.pk, request_key="r")
    assert _balances(ayse) == (90, 30)

    expired = points_expire(tenant=tenant)

    # The 60 spent came out of the oldest 100: 40 of them are left to expire.
    assert expired == 40
    assert _balances(ayse) == (50, 30)
    assert points_expire(tenant=tenant) == 0
    assert _ledger_sums(ayse) == (50, 30)


def test_expiring_soon_counts_unspent_points_expiring_within_the_window(tenant, ayse):
    _earn(tenant, ayse, 100, days_ago=350)  # expires in about 15 days
    _earn(tenant, ayse, 50, days_ago=20)
    points_release(tenant=tenant)
    points_adjust(tenant=tenant, actor=None, member=_member(ayse), points=-30, reason="Hata")

    soon = expiring_points(
        tenant=tenant, member=_member(ayse), by=timezone.now() + timedelta(days=30)
    )

    assert soon == 70


def test_nightly_run_twice_is_harmless(tenant, ayse):
    _earn(tenant, ayse, 100, days_ago=400)
    _earn(tenant, ayse, 20, days_ago=20)

    first = loyalty_nightly_run(tenant=tenant)
    second = loyalty_nightly_run(tenant=tenant)

    assert (first["released"], first["expired"]) == (120, 100)
    assert (second["released"], second["expired"], second["earned"]) == (0, 0, 0)
    assert _balances(ayse) == (20, 0)


def test_an_adjustment_needs_a_reason_and_is_audited(tenant, ayse, admin_user):
    _earn(tenant, ayse, 10)
    member = _member(ayse)

    with pytest.raises(LoyaltyError):
        points_adjust(tenant=tenant, actor=admin_user, member=member, points=5, reason=" ")
    entry = points_adjust(
        tenant=tenant, actor=admin_user, member=member, points=5, reason="Şikâyet telafisi"
    )

    assert (entry.kind, entry.available_delta, entry.created_by) == (
        EntryKind.ADJUST,
        5,
        admin_user,
    )
    audit = AuditEntry.objects.get(action="loyalty.points.adjusted")
    assert (audit.actor, audit.data["points"], audit.data["reason"]) == (
        admin_user, 5, "Şikâyet telafisi"
    )  # fmt: skip


def test_an_adjustment_cannot_take_more_than_available(tenant, ayse):
    _earn(tenant, ayse, 10, days_ago=20)
    points_release(tenant=tenant)

    with pytest.raises(LoyaltyError, match="Only 10 points"):
        points_adjust(tenant=tenant, actor=None, member=_member(ayse), points=-11, reason="x")


def test_the_same_adjustment_submitted_twice_counts_once(tenant, ayse):
    _earn(tenant, ayse, 10)
    member = _member(ayse)
    points_adjust(tenant=tenant, actor=None, member=member, points=5, reason="x", request_key="k")

    with pytest.raises(LoyaltyError, match="already recorded"):
        points_adjust(
            tenant=tenant, actor=None, member=member, points=5, reason="x", request_key="k"
        )
    assert _balances(ayse) == (5, 10)


def test_the_database_refuses_a_negative_balance(tenant, ayse):
    _earn(tenant, ayse, 10)

    with pytest.raises(IntegrityError), transaction.atomic():
        Member.objects.filter(customer=ayse).update(available=-1)


def test_ledger_entries_cannot_be_changed_or_deleted(tenant, ayse):
    _earn(tenant, ayse, 10)
    entry = PointsEntry.objects.get()

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        PointsEntry.objects.filter(pk=entry.pk).update(pending_delta=1000)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        PointsEntry.objects.filter(pk=entry.pk).delete()


def test_keyed_credits_go_in_once_each_in_one_statement(tenant, ayse, django_assert_num_queries):
    from loyalty.services.ledger import points_credit
    from tests.factories import CustomerFactory

    mehmet = CustomerFactory(tenant=tenant)
    first = Member.objects.create(tenant=tenant, customer=ayse)
    second = Member.objects.create(tenant=tenant, customer=mehmet)
    credits = [(first.pk, "campaign:recipient:1"), (first.pk, "campaign:recipient:2"),
               (second.pk, "campaign:recipient:3")]  # fmt: skip

    with django_assert_num_queries(2):  # the programme, then one INSERT ... UPDATE
        credited = points_credit(
            tenant=tenant, credits=credits, points=50, source="campaign", reason="Kış"
        )
    again = points_credit(
        tenant=tenant, credits=credits, points=50, source="campaign", reason="Kış"
    )

    assert (credited, again) == (150, 0)
    assert _balances(ayse) == (100, 0)  # two messages, two credits of 50
    assert _balances(mehmet) == (50, 0)
    assert _ledger_sums(ayse) == (100, 0)
    assert set(PointsEntry.objects.values_list("source", "kind")) == {("campaign", "earn")}


def test_keyed_credits_need_an_active_programme(tenant, ayse, programme):
    from loyalty.services.ledger import points_credit

    member = Member.objects.create(tenant=tenant, customer=ayse)
    type(programme).objects.filter(pk=programme.pk).update(is_active=False)

    credited = points_credit(
        tenant=tenant, credits=[(member.pk, "k")], points=50, source="campaign", reason="x"
    )

    assert credited == 0
    assert not PointsEntry.objects.exists()


def test_points_whose_expiry_passed_while_pending_expire_once_released(tenant, programme, ayse):
    # A late import of a purchase 400 days old: its points (12 months' expiry) expired before
    # they could be released. The nightly runs look only at what fell due since their last
    # run; the release carries the expiry forward to its own time, so they still expire.
    yesterday = timezone.now() - timedelta(days=1)
    programme.released_through = programme.expired_through = yesterday
    programme.save()
    _earn(tenant, ayse, 100, days_ago=400)

    assert points_release(tenant=tenant) == 100
    expired = points_expire(tenant=tenant)

    assert expired == 100
    assert _balances(ayse) == (0, 0)
    assert _ledger_sums(ayse) == (0, 0)
