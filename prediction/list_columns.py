"""What prediction adds to the customer list (customers/list_extensions.py): propensity and
predicted value as sortable columns. Registered in apps.py."""

from __future__ import annotations

from django.db.models import F, QuerySet

from crm.models import Tenant
from prediction.models import CustomerPrediction


def predictions_by_customer(
    *, tenant: Tenant, customer_ids: list[int]
) -> dict[int, CustomerPrediction]:
    """The page's predictions: one query (unique customer lookups)."""
    predictions = CustomerPrediction.objects.filter(tenant=tenant, customer_id__in=customer_ids)
    return {prediction.customer_id: prediction for prediction in predictions}


def by_propensity(queryset: QuerySet, *, tenant: Tenant) -> QuerySet:
    """Most likely to buy in the next 30 days first; customers without a prediction last.
    Sorts the filtered customers' predictions (no index serves a join-then-sort)."""
    return queryset.order_by(F("prediction__propensity").desc(nulls_last=True), "id")


def by_predicted_value(queryset: QuerySet, *, tenant: Tenant) -> QuerySet:
    """Highest predicted value first; customers without a prediction last."""
    return queryset.order_by(F("prediction__predicted_value").desc(nulls_last=True), "id")
