"""Reads: the live prediction and suggestions of a customer, the predictions list, the
review list, runs and back-tests."""

from __future__ import annotations

from django.db import connection
from django.db.models import Q, QuerySet

from crm.models import Tenant
from customers.models import Customer
from prediction import sql
from prediction.models import (
    BackTest,
    CopurchaseRule,
    CustomerPrediction,
    PredictionRun,
    PredictionStatus,
    RelationshipDecision,
    RelationshipFlag,
)

PREDICTION_ORDERS = {
    "value": ("-predicted_value", "customer_id"),
    "propensity": ("-propensity", "customer_id"),
    "alive": ("-p_alive", "customer_id"),
    "purchases": ("-expected_purchases", "customer_id"),
}


def run_latest(*, tenant: Tenant, live_only: bool = True) -> PredictionRun | None:
    runs = PredictionRun.objects.filter(tenant=tenant).exclude(
        status__in=[PredictionStatus.QUEUED, PredictionStatus.SKIPPED]
    )
    if live_only:
        runs = runs.filter(is_live=True)
    return runs.order_by("-created_at", "-id").first()


def customer_prediction(*, tenant: Tenant, customer: Customer) -> CustomerPrediction | None:
    return CustomerPrediction.objects.filter(tenant=tenant, customer=customer).first()


def customer_suggestions(*, tenant: Tenant, customer: Customer) -> list[CopurchaseRule]:
    """The customer's top 3 products and top 3 categories not bought yet, each with the rule
    that suggests it (see prediction/sql/customer_suggestions.sql); two queries."""
    with connection.cursor() as cursor:
        cursor.execute(
            sql.statement("customer_suggestions"), {"tenant": tenant.pk, "customer": customer.pk}
        )
        ids = [row[0] for row in cursor.fetchall()]
    if not ids:
        return []
    rules = CopurchaseRule.objects.filter(tenant=tenant, pk__in=ids).select_related(
        "antecedent_product", "antecedent_category", "consequent_product", "consequent_category"
    )
    return sorted(rules, key=lambda rule: (rule.kind != "product", -rule.confidence, -rule.lift))


def next_best_q(*, product_id: int | None = None, category_id: int | None = None) -> Q:
    """Customers whose stored next best products include `product_id` (and/or categories
    include `category_id`), as a Q over Customer (SQL only: the customer's `next_best` row)."""
    q = Q()
    if product_id is not None:
        q &= Q(next_best__products__contains=[product_id])
    if category_id is not None:
        q &= Q(next_best__categories__contains=[category_id])
    return q


def next_best_customers(
    *, tenant: Tenant, product_id: int | None = None, category_id: int | None = None
) -> QuerySet[Customer]:
    """The cross-sell audience: the tenant's customers (not archived) with this product
    (and/or category) among their top 3 next best, from the last nightly rules. One query;
    chain `.values(...)` or use it as a subquery."""
    return Customer.objects.filter(tenant=tenant, archived_at__isnull=True).filter(
        next_best_q(product_id=product_id, category_id=category_id)
    )


def prediction_list(*, tenant: Tenant, order: str) -> QuerySet[CustomerPrediction]:
    return (
        CustomerPrediction.objects.filter(tenant=tenant)
        .select_related("customer")
        .order_by(*PREDICTION_ORDERS.get(order, PREDICTION_ORDERS["value"]))
    )


def flag_list(*, tenant: Tenant, rule: str | None) -> QuerySet[RelationshipFlag]:
    flags = RelationshipFlag.objects.filter(tenant=tenant).select_related("customer")
    if rule:
        flags = flags.filter(rules__contains=[rule])
    return flags.order_by("profit", "customer_id")


def decisions_recent(*, tenant: Tenant, limit: int = 20) -> list[RelationshipDecision]:
    return list(
        RelationshipDecision.objects.filter(tenant=tenant)
        .select_related("customer", "decided_by")
        .order_by("-decided_at", "-id")[:limit]
    )


def backtest_latest(*, tenant: Tenant) -> BackTest | None:
    return BackTest.objects.filter(tenant=tenant).order_by("-created_at", "-id").first()
