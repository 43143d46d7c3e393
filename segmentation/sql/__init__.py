"""The recompute's SQL, in one place: static statements in the .sql files next to this module,
and the builders that add one column per value key to them.

Everything is parameterised: tenant ids, dates, weights and tier limits travel as query
parameters (psycopg `%(name)s`); only column names and catalogue SQL (our own code) are
interpolated.

The rule for every statement that reads all of a tenant's rows (here, the dashboard summaries,
the exports, and whatever comes next), because the planner's statistics are often wrong: right
after a bulk load of a new tenant it believed 25,000 customers were 10 and chose nested loops
that rescanned the aggregated transactions once per customer (over 10 minutes instead of 0.5 s).
The helpers are in crm/whole_tenant.py:

1. Fresh statistics on the inputs. Every import, and generate_scale_data, ANALYZEs the tables
   it wrote as its last step. Before its transaction, the recompute ANALYZEs those of its input
   tables that are stale (`stale_statistics_refresh`: never analyzed, or more than 10 % of the
   rows changed since, from pg_stat_user_tables.n_mod_since_analyze and pg_class.reltuples).
2. No nested loops, whatever the statistics say: the statements run with
   `whole_tenant_planning_set()` (the recompute: for its whole transaction) or inside
   `with whole_tenant_planning():`, i.e. SET LOCAL enable_nestloop = off and jit = off. Joins
   over a tenant's customers are hash joins; the one-row CROSS JOINs still run as nested loops
   (there is no other way), and JIT is off because the penalty PostgreSQL adds to their cost
   would otherwise make it compile every statement (measured 1.6 s for a 7 ms statement).
3. A time limit: the recompute sets statement_timeout to CRM_RECOMPUTE_STATEMENT_TIMEOUT; a run
   that hits it fails with that reason and the previous scores stay.

A test shows the plan's shape (tests/segmentation/test_planning.py): with no statistics,
PostgreSQL's default plan for step 1 has a nested loop over the transactions aggregate; with
the rule it has none. Measured (bench/bench_first_recompute.py, 25,000 customers and 70,000
purchases imported into a fresh tenant, then recomputed at once): 3.1–3.4 s on a busy 2-core
machine (load ~9; 6.4–8.2 s at load ~11); with the tables' statistics wiped after the import,
6.0–6.7 s (2 s of it the ANALYZE), and with rule 2 alone 2.5–2.9 s. Without the rule: cancelled
after 10 minutes.

How a score is made (every step is one statement over all of the tenant's customers):

1. raw values — one scan of the tenant's transactions computes every transaction metric at once;
   query metrics (feedback, referrals) are LEFT JOINed. Money is summed exactly (integer cents,
   then ÷ 100 in numeric, then float8): equal revenues give equal raw values, so they tie. A
   float8 sum depends on the order the rows are read in (0.1 + 0.2 ≠ 0.3). A customer is a
   "prospect" if they never made a completed purchase, "inactive" if none falls in the activity
   window (the longest window of the active keys; all time if every key is all-time), else
   "active".
2. normalisation, over the active customers only, to 0–1 where 1 is best for the metric's
   direction (recency: fewer days → closer to 1):
   - percentile: the mid-rank of the customer's tie group, (rank_low − 1 + rank_high − 1) ÷
     (2 × (n − 1)). Ties share one value; all-equal values and a single customer give 0.5.
   - min–max: (v − min) ÷ (max − min); 0.5 when max = min.
   - log-scaled min–max: ln(1 + v − min) ÷ ln(1 + max − min); 0.5 when max = min.
   A missing value of a metric with no default (satisfaction without surveys) is 0.5, and the
   customer is left out of that key's ranking.
3. the score: with W = Σ|weight|, a key with a positive weight adds 100 × w × x ÷ W points and
   a penalty (negative weight) adds 100 × |w| × (1 − x) ÷ W points, so the score is always in
   0–100: 100 is the best on every key with no penalty, 0 the worst on every key with the most
   penalties. Rounded to 4 decimals; equal scores are equal.
4. rank (1 = best; ties share the rank), percentile = share of active customers scoring the
   same or lower (100 = the top), and the tier:
   - by share: a tier never holds more than its share of active customers, rounded down; a
     group of equal scores that would cross a boundary goes entirely to the lower tier (so equal
     scores always share a tier, and with all-equal metrics everybody is in the lowest tier);
     the lowest tier takes everyone left.
   - by threshold: the first tier from the peak whose threshold the score reaches; the lowest
     tier takes everyone left.
   An active pin (not past its end date) wins; the computed tier is kept beside it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

from segmentation.metrics import Metric

SQL_DIR = Path(__file__).parent


@cache
def statement(name: str) -> str:
    """A static statement from segmentation/sql/<name>.sql."""
    return (SQL_DIR / f"{name}.sql").read_text()


@dataclass(frozen=True)
class KeySpec:
    """One active value key as the SQL sees it (position k: columns v<k>, x<k>, c<k>)."""

    position: int
    metric: Metric
    weight: Decimal
    normalisation: str
    window_days: int | None


def _placeholders(sql: str, k: int) -> str:
    return sql.format(
        tenant="%(tenant)s",
        since=f"%(since_{k})s",
        previous_since=f"%(previous_since_{k})s",
        now="%(now)s",
        today="%(today)s",
        timezone="%(timezone)s",
    )


# The category bit of a transaction (raw_values.sql), when the tenant's categories fit in one
# bigint (services/dashboard_summaries.category_bits): its own category's bit, else its
# product's, each read from an array indexed by id (no join of 10,000,000 rows).
CATEGORY_BIT = (
    "CASE WHEN t.category_id IS NOT NULL "
    "THEN (%(category_bits)s::bigint[])[t.category_id - %(category_low)s + 1] "
    "ELSE (%(product_bits)s::bigint[])[t.product_id - %(product_low)s + 1] END"
)


def raw_values_sql(keys: list[KeySpec], *, category_bits: bool = False) -> str:
    """Step 1: seg_raw(customer_id, status, revenue, margin, ..., v1..vK); with category_bits,
    the categories bought in the window as a bit mask too."""
    aggregates = []
    columns = []
    joins = []
    for key in keys:
        k = key.position
        missing = "NULL" if key.metric.missing is None else repr(float(key.metric.missing))
        if key.metric.aggregate is not None:
            aggregates.append(f", ({_placeholders(key.metric.aggregate, k)}) AS a{k}")
            columns.append(f", coalesce(tx.a{k}::float8, {missing}::float8) AS v{k}")
        else:
            joins.append(
                f"LEFT JOIN ({_placeholders(key.metric.query, k)}) q{k} ON q{k}.customer_id = c.id"
            )
            columns.append(f", coalesce(q{k}.raw_value::float8, {missing}::float8) AS v{k}")
    return statement("raw_values").format(
        category_bit=CATEGORY_BIT if category_bits else "NULL::bigint",
        aggregates="\n         ".join(aggregates),
        columns="\n       ".join(columns),
        joins="\n".join(joins),
    )


def _normalised(key: KeySpec) -> tuple[str, str, str, str]:
    """(bounds columns, rank CTE, rank join, normalised expression in 0–1, 1 = best)."""
    k = key.position
    if key.normalisation == "percentile":
        # Ranks over the distinct values (few for counts and days, so the sort is small):
        # le = customers at or below the value, ties = customers with it; the tie group spans
        # ranks le − ties + 1 … le, so its mid-rank position (0-based) is (2·le − ties − 1) / 2.
        bounds = f", count(v{k}) AS n{k}"
        rank_cte = (
            f", p{k} AS (SELECT v, sum(ties) OVER (ORDER BY v ROWS UNBOUNDED PRECEDING) AS le, "
            f"ties FROM (SELECT v{k} AS v, count(*) AS ties FROM active "
            f"WHERE v{k} IS NOT NULL GROUP BY v{k}) d)"
        )
        rank_join = f"LEFT JOIN p{k} ON p{k}.v = a.v{k}"
        value = (
            f"CASE WHEN a.v{k} IS NULL OR b.n{k} <= 1 THEN 0.5 "
            f"ELSE (2 * p{k}.le - p{k}.ties - 1)::float8 / (2 * (b.n{k} - 1)) END"
        )
    else:
        bounds = f", min(v{k}) AS lo{k}, max(v{k}) AS hi{k}"
        rank_cte = rank_join = ""
        if key.normalisation == "min_max":
            value = (
                f"CASE WHEN a.v{k} IS NULL OR b.hi{k} = b.lo{k} THEN 0.5 "
                f"ELSE (a.v{k} - b.lo{k}) / (b.hi{k} - b.lo{k}) END"
            )
        else:
            value = (
                f"CASE WHEN a.v{k} IS NULL OR b.hi{k} = b.lo{k} THEN 0.5 "
                f"ELSE ln(1 + a.v{k} - b.lo{k}) / ln(1 + b.hi{k} - b.lo{k}) END"
            )
    if key.metric.direction == "lower":
        value = f"(1 - {value})"
    return bounds, rank_cte, rank_join, value


def scored_sql(keys: list[KeySpec]) -> str:
    """Step 2: seg_scored(customer_id, score, normalised_values, contributions)."""
    bounds, rank_ctes, rank_joins, normalised, contributions = [], [], [], [], []
    total = sum((abs(key.weight) for key in keys), Decimal(0))
    for key in keys:
        k = key.position
        key_bounds, rank_cte, rank_join, value = _normalised(key)
        bounds.append(key_bounds)
        rank_ctes.append(rank_cte)
        rank_joins.append(rank_join)
        normalised.append(f", {value} AS x{k}")
        if total == 0 or key.weight == 0:
            contributions.append(f", 0::float8 AS c{k}")
        elif key.weight > 0:
            contributions.append(f", 100 * %(weight_{k})s::float8 * x{k} / %(total)s AS c{k}")
        else:
            contributions.append(
                f", 100 * abs(%(weight_{k})s::float8) * (1 - x{k}) / %(total)s AS c{k}"
            )
    return statement("scored").format(
        values="".join(f", v{key.position}" for key in keys),
        bounds="".join(bounds),
        rank_ctes="".join(rank_ctes),
        rank_joins="\n    ".join(join for join in rank_joins if join),
        normalised="\n         ".join(normalised),
        normalised_columns="".join(f", x{key.position}" for key in keys),
        contributions="\n         ".join(contributions),
        score=" + ".join(f"c{key.position}" for key in keys) or "0",
        normalised_array=_array("x", keys),
        contribution_array=_array("c", keys),
    )


def _array(prefix: str, keys: list[KeySpec]) -> str:
    items = ", ".join(f"{prefix}{key.position}" for key in keys)
    return f"ARRAY[{items}]::float8[]"


def tier_case_sql(*, tier_ids: list[int], mode: str) -> str:
    """The computed-tier expression over seg_ranked columns (at_or_above, n_active, score)."""
    if not tier_ids:
        return "NULL::bigint"
    whens = []
    for index in range(len(tier_ids) - 1):
        if mode == "share":
            condition = f"at_or_above <= floor(n_active * %(tier_cumulative_{index})s / 100)"
        else:
            condition = f"score >= %(tier_threshold_{index})s"
        whens.append(f"WHEN {condition} THEN %(tier_id_{index})s::bigint")
    last = f"%(tier_id_{len(tier_ids) - 1})s::bigint"
    if not whens:
        return last
    return f"CASE {' '.join(whens)} ELSE {last} END"


def final_sql(*, tier_case: str) -> str:
    """Step 3: seg_final — rank, percentile, computed tier, pin, and the previous tier."""
    return statement("final").format(tier_case=tier_case)


def scores_update_sql(keys: list[KeySpec]) -> str:
    """Rewrite the stored rows whose values changed (arrays assembled here)."""
    return statement("write_scores_update").format(raw_array=_array("r.v", keys))


def scores_insert_sql(keys: list[KeySpec]) -> str:
    """Insert the rows of customers scored for the first time."""
    return statement("write_scores_insert").format(raw_array=_array("r.v", keys))


def criteria_code_sql(expression: str, choices: tuple[str, ...]) -> str:
    """A choice column's code in the segment criteria rows (models.CRITERIA_CODES): the value's
    position in `choices` (from 1), 0 for any other value, NULL for NULL."""
    if any("'" in choice for choice in choices):
        raise ValueError(f"A choice with a quote cannot be a criteria code: {choices!r}")
    listed = ", ".join(f"'{choice}'" for choice in choices)
    return (
        f"(CASE WHEN {expression} IS NULL THEN NULL ELSE coalesce(array_position("
        f"ARRAY[{listed}]::text[], {expression}::text), 0) END)::smallint"
    )
