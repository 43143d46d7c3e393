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
from prediction.services.summary import local_day_end

# A rule needs this many customers who bought both items: fewer is anecdote, not pattern.
MIN_CUSTOMERS = 5
# Kept per antecedent, most confident first: enough for any customer's top 3.
RULES_PER_ITEM = 10
KINDS = {0: ItemKind.PRODUCT, 1: ItemKind.CATEGORY}


def customer_items(*, tenant: Tenant, until: datetime) -> pd.DataFrame:
    """Columns customer, kind (0 product, 1 category), item: one row per customer and item
    bought (products first, then categories)."""
    customer, product, category = sql.arrays_out(
        sql.statement("copurchase_items").strip().rstrip(";"),
        ("int8", "int8", "int8"),
        {"tenant": tenant.pk, "until": until},
    )
    # A product sold under two categories (or a category of several products) comes in
    # several rows: keep each customer's item once.
    kinds = [
        pd.DataFrame(
            {"customer": customer[items != 0], "kind": code, "item": items[items != 0]}
        ).drop_duplicates(["customer", "item"])
        for code, items in ((0, product), (1, category))
    ]
    return pd.concat(kinds, ignore_index=True)


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


# The dense per-customer score matrix is built for this many customers × items at a time.
NEXT_BEST_CELLS = 20_000_000
NO_RULE = np.iinfo(np.int32).max


@dataclass(frozen=True)
class NextBest:
    """Per customer (ascending ids) the top items of one kind not bought, best first, and the
    id of the rule suggesting each; 0 fills the places without a suggestion."""

    customers: np.ndarray  # (n,)
    items: np.ndarray  # (n, TOP)
    rules: np.ndarray  # (n, TOP)


TOP = 3


def next_best_compute(owned: pd.DataFrame, rules: Rules, rule_ids: np.ndarray) -> NextBest:
    """Every customer's top 3 items (of the rules' kind) not bought yet.

    A suggested item's score is its best rule from an item the customer bought; rules rank by
    confidence, then lift, then the suggested item's id, then the bought item's id — the order
    of prediction/sql/customer_suggestions.sql, which reads one customer's. Numpy, in blocks of
    customers: a bought-items matrix (customers × items) and, one rule at a time in rank order,
    the best rank of each suggested item; owned items are then masked and the three best kept.
    The cost is (rules × customers): ~10 rules per item, fine for catalogues of hundreds of
    items; thousands would want a sparse join instead.
    """
    # Customer codes 0..n-1 in ascending id order (one hash pass, no sort of the rows).
    customer_index, customers = pd.factorize(owned["customer"], sort=True)
    customers = np.asarray(customers, dtype=np.int64)
    empty = NextBest(customers[:0], np.zeros((0, TOP), np.int64), np.zeros((0, TOP), np.int64))
    if not len(rules.antecedent) or not len(customers):
        return empty
    item_ids = np.unique(np.concatenate([owned["item"].to_numpy(), rules.consequent]))
    columns = len(item_ids)
    ranked = np.lexsort((rules.antecedent, rules.consequent, -rules.lift, -rules.confidence))
    antecedent = np.searchsorted(item_ids, rules.antecedent[ranked].astype(np.int64))
    # An antecedent nobody holds any more cannot fire: searchsorted may point past the end.
    antecedent = np.minimum(antecedent, columns - 1)
    fires = item_ids[antecedent] == rules.antecedent[ranked]
    consequent = np.searchsorted(item_ids, rules.consequent[ranked].astype(np.int64))
    item_index = np.searchsorted(item_ids, owned["item"].to_numpy())
    block = max(1, NEXT_BEST_CELLS // columns)
    top_items, top_ranks = [], []
    for first in range(0, len(customers), block):
        last = min(first + block, len(customers))
        rows = np.flatnonzero((customer_index >= first) & (customer_index < last))
        bought = np.zeros((last - first, columns), dtype=bool, order="F")
        bought[customer_index[rows] - first, item_index[rows]] = True
        best = np.full((last - first, columns), NO_RULE, dtype=np.int32, order="F")
        for rank in np.flatnonzero(fires):
            column = best[:, consequent[rank]]
            column[bought[:, antecedent[rank]] & (column == NO_RULE)] = rank
        best[bought] = NO_RULE
        picked = np.argsort(best, axis=1, kind="stable")[:, :TOP]
        top_ranks.append(np.take_along_axis(best, picked, axis=1))
        top_items.append(picked)
    ranks = np.vstack(top_ranks)
    suggested = ranks != NO_RULE
    items = np.where(suggested, item_ids[np.vstack(top_items)], 0)
    rules_of = np.where(suggested, rule_ids[ranked][np.where(suggested, ranks, 0)], 0)
    if columns < TOP:  # fewer items than places: pad
        pad = ((0, 0), (0, TOP - columns))
        items, rules_of = np.pad(items, pad), np.pad(rules_of, pad)
    return NextBest(customers, items, rules_of)


def _next_best_write(*, tenant: Tenant, products: NextBest, categories: NextBest) -> int:
    """Replace the tenant's stored next best items (COPY into a staging table, one INSERT)."""
    customers = np.union1d(products.customers, categories.customers)
    columns: list[tuple[str, str, np.ndarray]] = [("customer", "int8", customers)]
    for name, found in (("product", products), ("category", categories)):
        items = np.zeros((len(customers), TOP), np.int64)
        rules = np.zeros((len(customers), TOP), np.int64)
        at = np.searchsorted(customers, found.customers)
        items[at], rules[at] = found.items, found.rules
        for place in range(TOP):
            columns.append((f"{name}{place}", "int8", items[:, place]))
            columns.append((f"{name}_rule{place}", "int8", rules[:, place]))
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM prediction_customernextbest WHERE tenant_id = %s", [tenant.pk])
        cursor.execute(
            "CREATE TEMP TABLE pred_next_best ("
            + ", ".join(f"{name} bigint" for name, _type, _values in columns)
            + ") ON COMMIT DROP"
        )
    sql.arrays_in("pred_next_best", columns)
    with connection.cursor() as cursor:
        cursor.execute(sql.statement("write_next_best"), {"tenant": tenant.pk})
        written = cursor.rowcount
        cursor.execute("DROP TABLE pred_next_best")
    return written


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
    product_rules = rules_compute(
        items,
        kind_code=0,
        min_customers=min_customers,
        allowed_consequents=_active_products(tenant=tenant),
    )
    category_rules = rules_compute(items, kind_code=1, min_customers=min_customers)
    seconds["rules"] = round(time.perf_counter() - started, 3)
    started = time.perf_counter()
    CopurchaseRule.objects.with_scopes_disabled().filter(tenant=tenant).delete()
    written = {}
    for kind, rules in ((ItemKind.PRODUCT, product_rules), (ItemKind.CATEGORY, category_rules)):
        created = CopurchaseRule.objects.with_scopes_disabled().bulk_create(
            _rule_rows(tenant=tenant, rules=rules), batch_size=5000
        )
        written[kind] = np.array([rule.pk for rule in created], dtype=np.int64)
    seconds["write rules"] = round(time.perf_counter() - started, 3)
    started = time.perf_counter()
    products = next_best_compute(items[items["kind"] == 0], product_rules, written["product"])
    categories = next_best_compute(items[items["kind"] == 1], category_rules, written["category"])
    seconds["next best"] = round(time.perf_counter() - started, 3)
    started = time.perf_counter()
    _next_best_write(tenant=tenant, products=products, categories=categories)
    seconds["write next best"] = round(time.perf_counter() - started, 3)
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
