"""The value keys this app adds to segmentation's metric catalogue: predicted value, expected
purchases and P(alive), read from the live predictions (registered in PredictionConfig.ready;
segmentation never imports this app). A customer without a prediction (never bought, or the
company has not enough data) has no value: the middle of the scale, outside the ranking. So has
every customer in a score run for a past date, when the live predictions are from a later
date (see _query)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from segmentation.metrics import Metric, register_metric


def _query(column: str) -> str:
    # Only predictions made from data the score's run could see: a run for a past date
    # (`recompute_scores --as-of`) leaves them out when the live predictions are from a later
    # reference date — every customer is then "no value" on these keys — instead of scoring
    # the past with the future. The past predictions themselves are not kept.
    return (
        f"SELECT p.customer_id, p.{column}::float8 AS raw_value "
        "FROM prediction_customerprediction p "
        "JOIN prediction_predictionrun r ON r.id = p.run_id "
        "WHERE p.tenant_id = {tenant} "
        "AND (r.as_of < {today} OR r.as_of = {today} AND r.started_at <= {now})"
    )


def register_prediction_metrics() -> None:
    register_metric(
        Metric(
            key="predicted_value",
            label=_("Predicted value (12 months)"),
            help_text=_(
                "What the customer is expected to spend over the prediction horizon, "
                "discounted (BG/NBD × Gamma-Gamma, from the last nightly prediction)."
            ),
            query=_query("predicted_value"),
            missing=None,
            uses_window=False,
        )
    )
    register_metric(
        Metric(
            key="expected_purchases",
            label=_("Expected purchases"),
            help_text=_("Purchases expected over the prediction horizon (BG/NBD)."),
            query=_query("expected_purchases"),
            missing=None,
            uses_window=False,
        )
    )
    register_metric(
        Metric(
            key="p_alive",
            label=_("Probability still a customer"),
            help_text=_(
                "How likely the customer still buys from you at all, from how often and how "
                "recently they bought (BG/NBD P(alive), 0–1)."
            ),
            query=_query("p_alive"),
            missing=None,
            uses_window=False,
        )
    )
