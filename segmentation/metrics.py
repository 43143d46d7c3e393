"""The metric catalogue: every quality a value key can measure, one small definition each.

A metric is SQL producing one raw value per customer for a window, plus a direction, a label and
help text. Two shapes keep the recompute fast:

- `aggregate`: an aggregate expression over the tenant's transactions (alias `t`). All of them
  are evaluated together in ONE scan of the transactions (10,000,000 rows scanned once, not once
  per key).
- `query`: a self-contained SELECT returning (customer_id, raw_value), for metrics that read
  other tables (feedback, referrals) — or a future "expected future value" model's output.

Placeholders, filled per value key with query parameters (never string values):
  {tenant}          the tenant id
  {since}           start of the key's window (the beginning of time for "all time")
  {previous_since}  start of the window before it (for growth)
  {now}             the run's time
  {today}           the run's date in the tenant's time zone
  {timezone}        the tenant's time zone name (for local dates)

`missing` is the raw value of a customer with no data (e.g. 0 complaints); None means "no
opinion": the customer's normalised value is 0.5, the middle of the scale, and they do not take
part in the ranking of that key (satisfaction without any survey).

To add a metric, add one entry to METRICS; the admin's choices and the recompute pick it up.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# In `aggregate` SQL, `t` is the tenant's transactions before the run's time, with these
# columns: customer_id, kind, status, occurred_at, amount, cost, due_date, paid_date, and
# is_purchase (a completed purchase), amount_cents and margin_cents (amount, amount − cost in
# integer kuruş, bigint). Sum money as cents (exact, and a bigint sum keeps a small state):
# a float8 sum depends on the order of the rows, so equal revenues would not tie (issue 14).
IS_PURCHASE = "t.is_purchase"
IN_WINDOW = "t.occurred_at >= {since}"
# In `query` SQL, tables are read directly.
PURCHASE = "t.kind = 'purchase' AND t.status = 'completed'"
PREVIOUS_WINDOW = "t.occurred_at >= {previous_since} AND t.occurred_at < {since}"


@dataclass(frozen=True)
class Metric:
    key: str
    label: str | Promise
    help_text: str | Promise
    direction: Literal["higher", "lower"] = "higher"
    aggregate: str | None = None
    query: str | None = None
    missing: float | None = 0.0
    uses_window: bool = True

    def __post_init__(self) -> None:
        if (self.aggregate is None) == (self.query is None):
            raise ValueError(f"Metric {self.key!r} needs exactly one of aggregate or query.")


METRICS: dict[str, Metric] = {}


def register_metric(metric: Metric) -> Metric:
    METRICS[metric.key] = metric
    return metric


register_metric(
    Metric(
        key="revenue",
        label=_("Revenue"),
        help_text=_("Completed purchases in the window, refunds excluded."),
        aggregate=f"sum(t.amount_cents) FILTER (WHERE {IS_PURCHASE} AND {IN_WINDOW}) / 100.0",
    )
)
register_metric(
    Metric(
        key="gross_margin",
        label=_("Gross margin"),
        help_text=_("Amount minus cost of completed purchases in the window (sales with a cost)."),
        aggregate=(
            f"sum(t.margin_cents) FILTER (WHERE {IS_PURCHASE} AND {IN_WINDOW} "
            "AND t.cost IS NOT NULL) / 100.0"
        ),
    )
)
register_metric(
    Metric(
        key="purchases",
        label=_("Number of purchases"),
        help_text=_("How many completed purchases in the window."),
        aggregate=f"count(*) FILTER (WHERE {IS_PURCHASE} AND {IN_WINDOW})",
    )
)
register_metric(
    Metric(
        key="average_order_value",
        label=_("Average order value"),
        help_text=_("Average amount of a completed purchase in the window."),
        aggregate=(
            f"sum(t.amount_cents) FILTER (WHERE {IS_PURCHASE} AND {IN_WINDOW}) / 100.0 "
            f"/ nullif(count(*) FILTER (WHERE {IS_PURCHASE} AND {IN_WINDOW}), 0)"
        ),
        missing=None,
    )
)
register_metric(
    Metric(
        key="recency",
        label=_("Recency"),
        help_text=_(
            "Days since the last purchase (all time, in calendar days of the company's time "
            "zone); fewer is better."
        ),
        direction="lower",
        aggregate=(
            "{today} - (max(t.occurred_at) FILTER "
            f"(WHERE {IS_PURCHASE}) AT TIME ZONE {{timezone}})::date"
        ),
        missing=None,
        uses_window=False,
    )
)
register_metric(
    Metric(
        key="relationship_length",
        label=_("Relationship length"),
        help_text=_("Calendar days since the first purchase (all time)."),
        aggregate=(
            "{today} - (min(t.occurred_at) FILTER "
            f"(WHERE {IS_PURCHASE}) AT TIME ZONE {{timezone}})::date"
        ),
        missing=None,
        uses_window=False,
    )
)
register_metric(
    Metric(
        key="revenue_growth",
        label=_("Revenue growth"),
        help_text=_(
            "This window's revenue against the window before, as (this − previous) ÷ the larger "
            "of the two: from −1 (lost it all) to +1 (all new)."
        ),
        aggregate=(
            "coalesce(("
            f"coalesce(sum(t.amount_cents) FILTER (WHERE {IS_PURCHASE} AND {IN_WINDOW}), 0)"
            " - coalesce(sum(t.amount_cents) FILTER (WHERE "
            f"{IS_PURCHASE} AND {PREVIOUS_WINDOW}), 0)"
            ") / nullif(greatest("
            f"coalesce(sum(t.amount_cents) FILTER (WHERE {IS_PURCHASE} AND {IN_WINDOW}), 0), "
            "coalesce(sum(t.amount_cents) FILTER (WHERE "
            f"{IS_PURCHASE} AND {PREVIOUS_WINDOW}), 0)"
            "), 0), 0)"
        ),
    )
)
register_metric(
    Metric(
        key="cost_sharing",
        label=_("Cost sharing"),
        help_text=_("The customer's share of joint costs (co-investment) in the window."),
        aggregate=(
            "sum(t.amount_cents) FILTER (WHERE t.kind = 'cost_share' AND t.status = 'completed' "
            f"AND {IN_WINDOW}) / 100.0"
        ),
    )
)
register_metric(
    Metric(
        key="late_payments",
        label=_("Late payments"),
        help_text=_(
            "Share (0–1) of invoices with a due date in the window paid late or still unpaid "
            "after it; a penalty — give it a negative weight."
        ),
        aggregate=(
            "(count(*) FILTER (WHERE t.due_date IS NOT NULL AND t.status = 'completed' "
            f"AND {IN_WINDOW} AND (t.paid_date > t.due_date "
            "OR (t.paid_date IS NULL AND t.due_date < {today})))"
            ")::float8 / nullif(count(*) FILTER (WHERE t.due_date IS NOT NULL "
            f"AND t.status = 'completed' AND {IN_WINDOW}), 0)"
        ),
        missing=None,
    )
)
register_metric(
    Metric(
        key="referrals",
        label=_("Referrals brought"),
        help_text=_("Customers they referred who made a completed purchase in the window."),
        query=(
            "SELECT r.referred_by_id AS customer_id, count(*) AS raw_value "
            "FROM customers_customer r "
            "WHERE r.tenant_id = {tenant} AND r.referred_by_id IS NOT NULL "
            "AND EXISTS (SELECT 1 FROM customers_transaction t WHERE t.customer_id = r.id "
            f"AND {PURCHASE} AND {IN_WINDOW} AND t.occurred_at < {{now}}) "
            "GROUP BY r.referred_by_id"
        ),
    )
)
register_metric(
    Metric(
        key="satisfaction",
        label=_("Satisfaction"),
        help_text=_(
            "Average survey score in the window on one 0–100 scale: NPS 0–10 × 10, "
            "satisfaction 1–5 as (score − 1) × 25; a reply with both counts their average. "
            "Customers without replies sit in the middle of the scale."
        ),
        query=(
            "SELECT f.customer_id, avg(CASE "
            "WHEN f.nps_score IS NOT NULL AND f.satisfaction_score IS NOT NULL "
            "THEN (f.nps_score * 10 + (f.satisfaction_score - 1) * 25) / 2.0 "
            "WHEN f.nps_score IS NOT NULL THEN f.nps_score * 10.0 "
            "ELSE (f.satisfaction_score - 1) * 25.0 END) AS raw_value "
            "FROM customers_feedback f "
            "WHERE f.tenant_id = {tenant} AND f.opened_at >= {since} AND f.opened_at < {now} "
            "AND (f.nps_score IS NOT NULL OR f.satisfaction_score IS NOT NULL) "
            "GROUP BY f.customer_id"
        ),
        missing=None,
    )
)
register_metric(
    Metric(
        key="complaints",
        label=_("Complaints"),
        help_text=_("Complaints opened in the window; a penalty — give it a negative weight."),
        query=(
            "SELECT f.customer_id, count(*) AS raw_value FROM customers_feedback f "
            "WHERE f.tenant_id = {tenant} AND f.kind = 'complaint' "
            "AND f.opened_at >= {since} AND f.opened_at < {now} GROUP BY f.customer_id"
        ),
    )
)
