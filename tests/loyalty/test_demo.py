"""The demo loader: a programme earned from the demo purchases, with a consistent ledger."""

from __future__ import annotations

import pytest
from django.db.models import Sum
from django_scopes import scope, scopes_disabled

from crm.demo import demo_loaders, run_demo_loaders
from loyalty.models import Member, PointsEntry, Programme


@pytest.mark.django_db
def test_demo_loyalty_runs_after_the_scores_and_keeps_balances_equal_to_the_ledger(tenant):
    orders = {loader.key: loader.order for loader in demo_loaders()}
    assert orders["loyalty"] > orders["scores"]

    with scope(tenant=tenant):
        run_demo_loaders(tenant=tenant, size="small")
        run_demo_loaders(tenant=tenant, size="small")  # --reload: nothing earned twice

    with scopes_disabled():
        assert Programme.objects.filter(tenant=tenant).count() == 1
        assert Member.objects.filter(tenant=tenant).count() > 50
        balances = {
            member_id: (available, pending)
            for member_id, available, pending in Member.objects.filter(tenant=tenant).values_list(
                "pk", "available", "pending"
            )
        }
        ledger = {
            row["member"]: (row["available"], row["pending"])
            for row in PointsEntry.objects.filter(tenant=tenant)
            .values("member")
            .annotate(available=Sum("available_delta"), pending=Sum("pending_delta"))
        }
        assert {key: value for key, value in balances.items() if value != (0, 0)} == {
            key: value for key, value in ledger.items() if value != (0, 0)
        }
        assert (
            PointsEntry.objects.filter(tenant=tenant, kind="earn", transaction__isnull=False)
            .values("transaction")
            .distinct()
            .count()
            == PointsEntry.objects.filter(
                tenant=tenant, kind="earn", transaction__isnull=False
            ).count()
        )
