"""The propensity and predicted-value cells of the customer list, written in Python
(customers/list_cells.py says why). `prediction` is a CustomerPrediction or None."""

from __future__ import annotations

from django.utils.safestring import SafeString

from crm.decimals import format_decimal
from customers.list_cells import DASH, nowrap
from prediction.models import CustomerPrediction


def propensity_html(prediction: CustomerPrediction | None) -> SafeString:
    if prediction is None:
        return DASH
    return nowrap(f"{round(prediction.propensity * 100)} %")


def predicted_value_html(prediction: CustomerPrediction | None) -> SafeString:
    if prediction is None:
        return DASH
    return nowrap(format_decimal(prediction.predicted_value, places=0))
