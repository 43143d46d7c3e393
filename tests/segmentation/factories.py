"""Small hand-made customer bases for the scoring tests: a fixed time, purchases N days ago,
and a tenant's value keys and tiers replaced by exactly the ones a test names."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from django_scopes import scopes_disabled

from customers.models import FeedbackKind, TransactionKind, TransactionStatus
from segmentation.models import Tier, ValueKey
from tests.factories import CustomerFactory, FeedbackFactory, TransactionFactory

# 12:00 UTC is 15:00 in Istanbul: "N days ago" is N calendar days ago in the tenant's zone.
NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)


def customer(tenant, **kwargs):
    return CustomerFactory(tenant=tenant, **kwargs)


def buy(who, amount, *, days_ago: int = 10, cost=None, **kwargs):
    return TransactionFactory(
        customer=who,
        tenant=who.tenant,
        amount=Decimal(str(amount)),
        cost=Decimal(str(cost)) if cost is not None else None,
        occurred_at=NOW - timedelta(days=days_ago),
        **kwargs,
    )


def refund(who, amount, *, days_ago: int = 10):
    return buy(who, amount, days_ago=days_ago, status=TransactionStatus.REFUNDED)


def share_cost(who, amount, *, days_ago: int = 10):
    return buy(who, amount, days_ago=days_ago, kind=TransactionKind.COST_SHARE)


def complain(who, *, days_ago: int = 10):
    return FeedbackFactory(
        customer=who, tenant=who.tenant, opened_at=NOW - timedelta(days=days_ago)
    )


def use_keys(tenant, *keys: tuple) -> list[ValueKey]:
    """Replace the tenant's keys: (metric, weight, normalisation[, window_days])."""
    with scopes_disabled():
        ValueKey.objects.filter(tenant=tenant).delete()
        created = []
        for order, (metric, weight, normalisation, *window) in enumerate(keys):
            created.append(
                ValueKey.objects.create(
                    tenant=tenant,
                    metric=metric,
                    weight=Decimal(str(weight)),
                    normalisation=normalisation,
                    window_days=window[0] if window else 365,
                    order=order,
                )
            )
        return created


def use_tiers(tenant, *shares, thresholds: bool = False) -> list[Tier]:
    """Replace the tenant's tiers, peak first, by shares (or score thresholds)."""
    with scopes_disabled():
        Tier.objects.filter(tenant=tenant).delete()
        return [
            Tier.objects.create(
                tenant=tenant,
                position=position,
                name_tr=f"Kat {position}",
                name_en=f"Level {position}",
                share_percent=None if thresholds else Decimal(str(value)),
                min_score=Decimal(str(value)) if thresholds else None,
            )
            for position, value in enumerate(shares, start=1)
        ]


def survey(who, *, nps=None, satisfaction=None, days_ago: int = 10):
    return FeedbackFactory(
        customer=who,
        tenant=who.tenant,
        kind=FeedbackKind.SURVEY,
        nps_score=nps,
        satisfaction_score=satisfaction,
        opened_at=NOW - timedelta(days=days_ago),
    )
