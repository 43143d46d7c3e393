"""Purchase histories for the prediction tests, written in bulk: CDNOW's 1/10 sample as a
tenant's transactions, and a synthetic BG/NBD customer base (seeded, so tests are stable)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
from django_scopes import scopes_disabled
from lifetimes.datasets import load_dataset

from customers.models import Customer, Transaction, TransactionStatus

NOON = time(12, 0)


def cdnow_transactions() -> pd.DataFrame:
    """CDNOW_sample.txt as it ships inside lifetimes: customer, date, quantity, amount."""
    frame = load_dataset("CDNOW_sample.txt", header=None, sep=r"\s+")
    frame.columns = ["master_id", "customer", "date", "quantity", "amount"]
    frame["date"] = pd.to_datetime(frame["date"].astype(str), format="%Y%m%d")
    return frame


def load_purchases(tenant, rows, *, status: str = TransactionStatus.COMPLETED) -> dict:
    """rows: (customer key, local date or datetime, amount). Creates one customer per key.
    Returns {key: Customer}."""
    zone = ZoneInfo(tenant.timezone)
    keys = sorted({key for key, _day, _amount in rows}, key=str)
    with scopes_disabled():
        customers = Customer.objects.bulk_create(
            [Customer(tenant=tenant, first_name="Müşteri", last_name=str(key)) for key in keys]
        )
        by_key = dict(zip(keys, customers, strict=True))
        Transaction.objects.bulk_create(
            [
                Transaction(
                    tenant=tenant,
                    customer=by_key[key],
                    occurred_at=(
                        when.replace(tzinfo=zone)
                        if isinstance(when, datetime)
                        else datetime.combine(when, NOON, tzinfo=zone)
                    ).astimezone(UTC),
                    amount=Decimal(str(amount)),
                    status=status,
                )
                for key, when, amount in rows
            ],
            batch_size=5000,
        )
    return by_key


def synthetic_rows(
    *, customers: int, start: date, days: int, seed: int = 7
) -> list[tuple[int, date, float]]:
    """A BG/NBD world: each customer buys at rate λ ~ Gamma(r=0.8, α=60 days) and after each
    purchase leaves with probability p ~ Beta(1, 4); first purchase uniform in the first third."""
    rng = np.random.default_rng(seed)
    rows = []
    for key in range(customers):
        rate = rng.gamma(0.8, 1 / 60)
        leave = rng.beta(1, 4)
        day = int(rng.integers(0, days // 3))
        spend = rng.gamma(5, 20)
        while day < days:
            rows.append(
                (key, start + timedelta(days=day), round(float(rng.gamma(4, spend / 4)), 2))
            )
            if rng.random() < leave:
                break
            day += max(1, int(rng.exponential(1 / rate)))
    return rows
