"""The recompute's dashboard step: per-customer facts (class, growth, categories), the run's key
figures, the class summaries, the tier × dimension cells and each saved segment's size.

Runs inside the recompute's transaction, after the scores and the tier summaries and before
the staging tables go, so a dashboard never shows half a run. Its SQL is in
segmentation/sql/dashboard_*.sql. It adds as little as it can to the scoring: the scoring's one
scan of the transactions also sums the growth windows, the last purchase and the categories
bought (a bit per category, CATEGORY_BITS_MAX of them at most) and keeps the customers'
dimensions (seg_raw, carried into seg_final). The facts are then computed from seg_final alone,
in memory, by the one statement that writes the changed ones, sums the class summaries and
every tier × dimension cell from them (grouping sets, integer cents) and lists the customers
whose segment criteria row must follow (seg_touched: facts changed or new, or the score band
moved); only those rows are then compared and written (dashboard_criteria_rows.sql).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.db import connection
from django_scopes import scope, scopes_disabled

from crm.models import Tenant
from crm.whole_tenant import planner_settings
from customers.models import Product, ProductCategory
from segmentation import sql
from segmentation.models import CRITERIA_CODES, ClassSettings, ScoreRun, Segment

if TYPE_CHECKING:
    from segmentation.services.recompute import _Steps

# Revenue growth compares the activity window with the one before it; an all-time activity
# window compares the last year with the year before.
GROWTH_DEFAULT_DAYS = 365


def class_settings(*, tenant: Tenant) -> ClassSettings:
    """The tenant's class thresholds (an unsaved row with the defaults if none was saved)."""
    found = ClassSettings.objects.with_scopes_disabled().filter(tenant=tenant).first()
    return found or ClassSettings(tenant=tenant)


def growth_windows(*, activity_since: datetime, now: datetime) -> tuple[datetime, datetime]:
    """(start of the growth window, start of the window before it)."""
    days = (now - activity_since).days
    if days <= 0 or days > 3650:
        days = GROWTH_DEFAULT_DAYS
    since = now - timedelta(days=days)
    return since, since - timedelta(days=days)


# The categories bought travel through the scoring's scan as the bits of one bigint (bit 63 is
# the sign, left alone), each transaction's bit read from arrays indexed by category and product
# id (sql.CATEGORY_BIT), which must stay short. A tenant with more categories, or ids spread too
# far apart, gets a scan of the window's purchases of its own in the dashboard step instead.
CATEGORY_BITS_MAX = 63
ID_SPAN_MAX = 100_000


def category_bits(*, tenant: Tenant) -> dict | None:
    """The arrays of sql.CATEGORY_BIT for the tenant's categories (bit k = the k-th category by
    id), with `category_ids` (id of bit k); None when they do not fit (see above)."""
    with scopes_disabled():
        categories = list(
            ProductCategory.objects.filter(tenant=tenant)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        products = list(
            Product.objects.filter(tenant=tenant, category__isnull=False).values_list(
                "pk", "category_id"
            )
        )
    if len(categories) > CATEGORY_BITS_MAX:
        return None
    bit = {category: 1 << position for position, category in enumerate(categories)}
    category_low = categories[0] if categories else 0
    product_low = min((pk for pk, _category in products), default=0)
    product_high = max((pk for pk, _category in products), default=0)
    if categories and categories[-1] - category_low >= ID_SPAN_MAX:
        return None
    if product_high - product_low >= ID_SPAN_MAX:
        return None
    category_array = [0] * ((categories[-1] - category_low + 1) if categories else 0)
    for category, value in bit.items():
        category_array[category - category_low] = value
    product_array = [0] * ((product_high - product_low + 1) if products else 0)
    for product, category in products:
        product_array[product - product_low] = bit.get(category, 0)
    return {
        "category_bits": category_array,
        "category_low": category_low,
        "product_bits": product_array,
        "product_low": product_low,
        "category_ids": categories,
    }


def dashboard_parameters(*, tenant: Tenant, params: dict) -> dict:
    """The step's query parameters; set before the scoring's first step, whose scan of the
    transactions also sums the growth windows, the last purchase and the categories bought
    (raw_values.sql). `category_ids` is None when the categories are scanned separately."""
    settings = class_settings(tenant=tenant)
    now = params["now"]
    growth_since, growth_previous_since = growth_windows(
        activity_since=params["activity_since"], now=now
    )
    bits = category_bits(tenant=tenant)
    values = {
        "growth_since": growth_since,
        "growth_previous_since": growth_previous_since,
        "contact_since": now - timedelta(days=settings.contact_days),
        "peak_tiers": settings.peak_tiers,
        "growth_percent": settings.growth_percent,
        "category_ids": None,
    }
    if bits is not None:
        values.update(bits)
        for position, category in enumerate(bits["category_ids"]):
            values[f"category_id_{position}"] = category
    return values


# The categories bought in the activity window, for a tenant whose categories are not summed as
# bits by the scoring's scan: distinct pairs first (hashed), then a sorted list (so an unchanged
# list compares equal when the facts are written).
BOUGHT_CTE = """bought AS (
    SELECT pairs.customer_id,
           array_agg(pairs.category_id ORDER BY pairs.category_id) AS category_ids
    FROM (
        SELECT DISTINCT t.customer_id, coalesce(t.category_id, p.category_id) AS category_id
        FROM customers_transaction t
        LEFT JOIN customers_product p ON p.id = t.product_id
        WHERE t.tenant_id = %(tenant)s AND t.kind = 'purchase' AND t.status = 'completed'
          AND t.occurred_at >= %(activity_since)s AND t.occurred_at < %(now)s
          AND coalesce(t.category_id, p.category_id) IS NOT NULL
    ) pairs
    GROUP BY pairs.customer_id
), """


# Each distinct mask decoded once (a few hundred of them), not each customer's: decoding a
# million masks cost ~0.5 s.
MASKS_CTE = """masks AS (
    SELECT m.category_mask, array_remove(ARRAY[{items}]::bigint[], NULL) AS category_ids
    FROM (SELECT DISTINCT category_mask FROM seg_final WHERE category_mask IS NOT NULL) m
), """


def facts_sql(*, params: dict) -> str:
    """dashboard_facts.sql with the categories bought: decoded from seg_raw's bit mask (bit k is
    the k-th category, ids ascending, so the list comes out sorted; MASKS_CTE), or from
    BOUGHT_CTE; and the
    criteria rows' choice columns encoded (CRITERIA_CODES)."""
    codes = {
        column: sql.criteria_code_sql(f"n.{column}", CRITERIA_CODES[column])
        for column in ("status", "customer_class", "growth_band")
    }
    categories = params["category_ids"]
    if categories is None:
        return sql.statement("dashboard_facts").format(
            bought=BOUGHT_CTE,
            bought_join="LEFT JOIN bought ON bought.customer_id = f.customer_id",
            category_ids="coalesce(bought.category_ids, '{}')",
            **codes,
        )
    if not categories:
        return sql.statement("dashboard_facts").format(
            bought="", bought_join="", category_ids="'{}'::bigint[]", **codes
        )
    items = ", ".join(
        f"CASE WHEN m.category_mask & {1 << position} <> 0 "
        f"THEN %(category_id_{position})s::bigint END"
        for position in range(len(categories))
    )
    return sql.statement("dashboard_facts").format(
        bought=MASKS_CTE.format(items=items),
        bought_join="LEFT JOIN masks ON masks.category_mask = f.category_mask",
        category_ids="coalesce(masks.category_ids, '{}')",
        **codes,
    )


# The customers whose criteria row may change (dashboard_facts.sql), with the row's new values.
TOUCHED_TABLE = """CREATE TEMP TABLE seg_touched (
    customer_id bigint NOT NULL, status smallint, tier_id bigint, customer_class smallint,
    growth_band smallint, revenue numeric(16, 2), last_purchase_at timestamptz,
    category_ids bigint[], score_band smallint
) ON COMMIT DROP"""
# Below this share of the run's customers, the touched criteria rows are found through their
# primary key (a nested loop) rather than by reading every row of the tenant (a hash join):
# a normal night touches a few percent; a first run, or a week's shift of the windows, more.
TOUCHED_BY_INDEX_SHARE = 0.1


def dashboard_summaries_write(*, tenant: Tenant, run: ScoreRun, steps: _Steps) -> None:
    # Both read seg_final: the figures (one aggregate) and the movers (the tier changes).
    steps.run("dashboard: figures", sql.statement("dashboard_figures"))
    steps.run("dashboard: movers", sql.statement("dashboard_movers"))
    with steps.timed("dashboard: staging"), connection.cursor() as cursor:
        cursor.execute(TOUCHED_TABLE)  # not steps.run: no EXPLAIN of a table definition
    # No ANALYZE of seg_final: every join is a hash join whatever the estimates (the recompute's
    # planner settings), and it is read whole.
    steps.run("dashboard: facts, classes and dimensions", facts_sql(params=steps.params))
    # Statistics of the touched rows (a small sample): the hash is built on them, not on the
    # criteria rows, and their count chooses the index path below.
    steps.run("dashboard: analyze staging", "ANALYZE seg_touched")
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM seg_touched")
        (touched,) = cursor.fetchone()
    if touched <= TOUCHED_BY_INDEX_SHARE * (steps.rows.get("rank and tier") or 0):
        with planner_settings({"enable_nestloop": "on"}):
            steps.run("dashboard: criteria rows", sql.statement("dashboard_criteria_rows"))
    else:
        steps.run("dashboard: criteria rows", sql.statement("dashboard_criteria_rows"))
    with steps.timed("dashboard: segment sizes"):
        _segment_sizes_write(tenant=tenant, run=run)
    steps.run("drop dashboard staging", "DROP TABLE seg_touched")


def _segment_sizes_write(*, tenant: Tenant, run: ScoreRun) -> None:
    """One INSERT ... SELECT per saved segment, over the facts just written (through the
    criteria rows, which their triggers brought up to date, unless another app's criterion
    needs the customers)."""
    from segmentation.segment_selectors import SegmentCriteria, criteria_members, criteria_rows

    with scope(tenant=tenant):
        for segment in Segment.objects.filter(tenant=tenant).order_by("pk"):
            criteria = SegmentCriteria.of(segment)
            if criteria.extra:
                members = criteria_members(
                    tenant=tenant, criteria=criteria, segment_id=segment.pk
                ).values("pk", "facts__revenue")
            else:
                members = criteria_rows(
                    tenant=tenant, criteria=criteria, segment_id=segment.pk
                ).values("customer_id", "revenue")
            query, params = members.query.sql_with_params()
            with connection.cursor() as cursor:
                cursor.execute(
                    "INSERT INTO segmentation_segmentrunsize "
                    "(tenant_id, segment_id, run_id, customers, revenue) "
                    "SELECT %s, %s, %s, count(*), coalesce(sum(m.revenue), 0) "
                    f"FROM ({query}) AS m(id, revenue)",
                    [tenant.pk, segment.pk, run.pk, *params],
                )
