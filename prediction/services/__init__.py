"""The prediction app's services: settings, the prediction run, next-best products, the
relationship review and its decisions, back-tests, and the nightly fan-out."""

from prediction.services.predict import PredictionError, predictions_run, settings_for
from prediction.services.runs import (
    nightly_predictions_schedule,
    prediction_nightly,
    prediction_run_request,
)

__all__ = [
    "PredictionError",
    "nightly_predictions_schedule",
    "prediction_nightly",
    "prediction_run_request",
    "predictions_run",
    "settings_for",
]
