"""Next-best product: the co-purchase rules of a tenant ("customers who bought X also bought
Y": support, confidence, lift, over customers), for products and for categories, and the
hit-rate measurement of the top-3 suggestions against the "most popular products" baseline.

The database streams each customer's distinct items (one COPY of prediction/sql/
copurchase_items.sql); the pair counts are one sparse matrix product, Xᵀ·X, on those rows:
a self-join in SQL produces Σ (items per customer)² rows — 100,000,000 at a million
customers — where the matrix product takes a second. The rules (a few per item) are stored;
a customer's suggestions are read from them when needed (prediction.selectors).
"""

from __future__ import annotations

import io
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd
from django.db import connection, transaction
from django.utils import timezone
from scipy import sparse

from crm.models import Tenant
from customers.models import Product
from prediction import sql
from prediction.models import CopurchaseRule, ItemKind
from prediction.services.predict import local_day_end

# A rule needs this many customers who bought both items: fewer is anecdote, not pattern.
MIN_CUSTOMERS = 5
# Kept per antecedent, most confident first: enough for any customer's top 3.
RULES_PER_ITEM = 10
KINDS = {0: ItemKind.PRODUCT, 1: ItemKind.CATEGORY}


def customer_items(*, tenant: Tenant, until: datetime) -> pd.DataFrame:
    """Columns customer, kind (0 product, 1 category), item: one row per distinct purchase."""
    buffer = io.BytesIO()
    with connection.cursor() as cursor:
        statement = sql.statement("copurchase_items").strip().rstrip(";")
        with cursor.copy(
            f"COPY ({statement}) TO STDOUT", {"tenant": tenant.pk, "until": until}
        ) as copy:
            for block in copy:
                buffer.write(block)
    buffer.seek(0)
    if not buffer.getbuffer().nbytes:
        return pd.DataFrame({"customer": [], "kind": [], "item": []}, dtype=np.int64)
    return pd.read_csv(
        buffer, sep="\t", header=None, names=["customer", "kind", "item"], dtype=np.int64
    )


@dataclass(frozen=True)
class Rules:
    """The rules of one kind: antecedent → consequent with their figures (numpy arrays)."""

    kind: str
    antecedent: np.ndarray
    consequent: np.ndarray
    together: np.ndarray
    support: np.ndarray
    confidence: np.ndarray
    lift: np.ndarray
    popularity: dict[int, int]  # item → customers who bought it


def rules_compute(
    items: pd.DataFrame,
    *,
    kind_code: int,
    min_customers: int,
    allowed_consequents: set[int] | None = None,
) -> Rules:
    """support = both ÷ all buyers; confidence = both ÷ buyers of X; lift = confidence ÷
    (buyers of Y ÷ all buyers). Only lift > 1 and at least `min_customers` together."""
    base = items["customer"].nunique()
    rows = items[items["kind"] == kind_code]
    empty = np.empty(0)
    if rows.empty:
        return Rules(KINDS[kind_code], empty, empty, empty, empty, empty, empty, {})
    item_ids, item_index = np.unique(rows["item"].to_numpy(), return_inverse=True)
    _customers, customer_index = np.unique(rows["customer"].to_numpy(), return_inverse=True)
    bought = sparse.csr_matrix(
        (np.ones(len(rows)), (customer_index, item_index)),
        shape=(len(_customers), len(item_ids)),
    )
    together = (bought.T @ bought).toarray()
    buyers = np.diag(together).copy()
    np.fill_diagonal(together, 0)
    confidence = together / buyers[:, None]
    lift = confidence / (buyers[None, :] / base)
    keep = (together >= min_customers) & (lift > 1)
    if allowed_consequents is not None:
        keep &= np.isin(item_ids, list(allowed_consequents))[None, :]
    found = []
    for x in range(len(item_ids)):
        ys = np.flatnonzero(keep[x])
        if not len(ys):
            continue
        # most confident first, then lift, then the item id (stable, as in the SQL reads)
        order = np.lexsort((item_ids[ys], -lift[x, ys], -confidence[x, ys]))[:RULES_PER_ITEM]
        found.extend((x, y) for y in ys[order])
    xs = np.array([x for x, _y in found], dtype=int)
    ys = np.array([y for _x, y in found], dtype=int)
    return Rules(
        kind=KINDS[kind_code],
        antecedent=item_ids[xs] if found else empty,
        consequent=item_ids[ys] if found else empty,
        together=together[xs, ys] if found else empty,
        support=together[xs, ys] / base if found else empty,
        confidence=confidence[xs, ys] if found else empty,
        lift=lift[xs, ys] if found else empty,
        popularity=dict(zip(item_ids.tolist(), buyers.astype(int).tolist(), strict=True)),
    )


def _rule_rows(*, tenant: Tenant, rules: Rules) -> list[CopurchaseRule]:
    field = "product" if rules.kind == ItemKind.PRODUCT else "category"
    return [
        CopurchaseRule(
            tenant=tenant,
            kind=rules.kind,
            **{f"antecedent_{field}_id": int(x), f"consequent_{field}_id": int(y)},
            together=int(n),
            support=float(s),
            confidence=float(c),
            lift=float(lift),
        )
        for x, y, n, s, c, lift in zip(
            rules.antecedent,
            rules.consequent,
            rules.together,
            rules.support,
            rules.confidence,
            rules.lift,
            strict=True,
        )
    ]


def _active_products(*, tenant: Tenant) -> set[int]:
    return set(
        Product.objects.with_scopes_disabled()
        .filter(tenant=tenant, is_active=True)
        .values_list("pk", flat=True)
    )


@transaction.atomic
def suggestions_refresh(
    *, tenant: Tenant, as_of: date | None = None, min_customers: int = MIN_CUSTOMERS
) -> dict[str, float]:
    """Replace the tenant's co-purchase rules by those of purchases up to `as_of` (today)."""
    as_of = as_of or timezone.now().astimezone(tenant.zone).date()
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    items = customer_items(tenant=tenant, until=local_day_end(tenant=tenant, day=as_of))
    seconds["items"] = round(time.perf_counter() - started, 3)
    started = time.perf_counter()
    rows = _rule_rows(
        tenant=tenant,
        rules=rules_compute(
            items,
            kind_code=0,
            min_customers=min_customers,
            allowed_consequents=_active_products(tenant=tenant),
        ),
    ) + _rule_rows(
        tenant=tenant, rules=rules_compute(items, kind_code=1, min_customers=min_customers)
    )
    seconds["rules"] = round(time.perf_counter() - started, 3)
    started = time.perf_counter()
    CopurchaseRule.objects.with_scopes_disabled().filter(tenant=tenant).delete()
    CopurchaseRule.objects.with_scopes_disabled().bulk_create(rows, batch_size=5000)
    seconds["write"] = round(time.perf_counter() - started, 3)
    return seconds


@dataclass(frozen=True)
class HitRate:
    buyers: int  # customers with history who bought a product in the holdout
    model_hits: int
    baseline_hits: int
    with_suggestions: int

    @property
    def model(self) -> float:
        return self.model_hits / self.buyers if self.buyers else 0.0

    @property
    def baseline(self) -> float:
        return self.baseline_hits / self.buyers if self.buyers else 0.0


def top_suggestions(owned: set[int], rules_from: dict[int, list[tuple]], n: int = 3) -> list[int]:
    """The top n items not owned, each by its most confident rule from an owned item."""
    best: dict[int, tuple[float, float]] = {}
    for item in owned:
        for consequent, confidence, lift in rules_from.get(item, ()):
            if consequent in owned:
                continue
            if (confidence, lift) > best.get(consequent, (-1.0, -1.0)):
                best[consequent] = (confidence, lift)
    ranked = sorted(best.items(), key=lambda entry: (-entry[1][0], -entry[1][1], entry[0]))
    return [item for item, _figures in ranked[:n]]


def suggestion_hit_rate(
    *, tenant: Tenant, cutoff: date, days: int = 30, min_customers: int = MIN_CUSTOMERS
) -> HitRate:
    """Rules from purchases before `cutoff`; of the customers with a history who bought a
    product in the next `days` days, the share who bought one of their top 3 suggested
    products, against the share who bought one of the 3 most popular products they lacked.
    Nothing is written."""
    until = datetime.combine(cutoff, datetime.min.time(), tzinfo=tenant.zone)
    items = customer_items(tenant=tenant, until=until)
    products = items[items["kind"] == 0]
    rules = rules_compute(items, kind_code=0, min_customers=min_customers)
    rules_from: dict[int, list[tuple]] = {}
    for x, y, c, lift in zip(
        rules.antecedent.tolist(),
        rules.consequent.tolist(),
        rules.confidence.tolist(),
        rules.lift.tolist(),
        strict=True,
    ):
        rules_from.setdefault(int(x), []).append((int(y), c, lift))
    popular = sorted(rules.popularity, key=lambda item: (-rules.popularity[item], item))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT customer_id, product_id FROM customers_transaction "
            "WHERE tenant_id = %s AND kind = 'purchase' AND status = 'completed' "
            "AND occurred_at >= %s AND occurred_at < %s AND product_id IS NOT NULL",
            [tenant.pk, until, until + timedelta(days=days)],
        )
        bought_later: dict[int, set[int]] = {}
        for customer, product in cursor.fetchall():
            bought_later.setdefault(customer, set()).add(product)
    history = set(items["customer"].unique().tolist())
    owned_by = products.groupby("customer")["item"].agg(set).to_dict()
    buyers = model_hits = baseline_hits = with_suggestions = 0
    for customer, later in bought_later.items():
        if customer not in history:
            continue
        buyers += 1
        owned = owned_by.get(customer, set())
        suggested = top_suggestions(owned, rules_from)
        with_suggestions += bool(suggested)
        model_hits += bool(later & set(suggested))
        baseline = [item for item in popular if item not in owned][:3]
        baseline_hits += bool(later & set(baseline))
    return HitRate(buyers, model_hits, baseline_hits, with_suggestions)
