"""The customer list's activity columns: last purchase, last contact and the revenue of the last
twelve months per customer (CustomerActivity), how they are kept, and how the list shows and
sorts by them (registered in apps.py through customers/list_extensions.py)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import django_filters
from django.db import connection, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import scope

from crm.models import Tenant
from crm.whole_tenant import (
    stale_statistics_refresh,
    whole_tenant_planning,
    whole_tenant_planning_set,
)
from customers.events import TransactionsRecorded, recorded_transactions
from customers.models import REVENUE_WINDOW_DAYS, CustomerActivity

_SQL = (Path(__file__).resolve().parent / "sql" / "activity_refresh.sql").read_text("utf-8")


# What the whole-tenant refresh reads: after a bulk import, before autovacuum, they may have no
# statistics at all (crm/whole_tenant.py).
ACTIVITY_INPUT_TABLES = ("customers_customer", "customers_transaction", "customers_interaction")


def _refresh_parameters(
    *, tenant: Tenant, customer_ids: list[int] | None, now: datetime | None
) -> dict[str, Any]:
    return {
        "tenant_id": tenant.pk,
        "since": (now or timezone.now()) - timedelta(days=REVENUE_WINDOW_DAYS),
        "customer_ids": None if customer_ids is None else list(customer_ids),
    }


def customer_activity_refresh(
    *, tenant: Tenant, customer_ids: list[int] | None = None, now: datetime | None = None
) -> int:
    """Recompute the activity of the tenant's customers (or only `customer_ids`) in one
    statement; rows that did not change are not written. Returns the rows written."""
    params = _refresh_parameters(tenant=tenant, customer_ids=customer_ids, now=now)
    if customer_ids is not None:  # a sale or a contact: a few customers, through the indexes
        with connection.cursor() as cursor:
            cursor.execute(_SQL, params)
            return cursor.rowcount
    # The whole tenant, queued by an import: on tables never analyzed the planner takes the
    # tenant for a handful of rows and nests a loop over the purchases' aggregate, once per
    # customer (over 16 minutes at 100,000 customers). Statistics first, then hash joins.
    stale_statistics_refresh(tables=ACTIVITY_INPUT_TABLES)
    with transaction.atomic(), whole_tenant_planning(), connection.cursor() as cursor:
        cursor.execute(_SQL, params)
        return cursor.rowcount


def customer_activity_refresh_plan(*, tenant: Tenant, guarded: bool = True) -> dict:
    """EXPLAIN (FORMAT JSON) of the whole-tenant refresh without running it: as the refresh
    plans it (guarded), or with PostgreSQL's defaults and whatever statistics there are."""
    params = _refresh_parameters(tenant=tenant, customer_ids=None, now=None)
    if guarded:
        stale_statistics_refresh(tables=ACTIVITY_INPUT_TABLES)
    with transaction.atomic():
        if guarded:
            whole_tenant_planning_set()
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (FORMAT JSON) " + _SQL, params)
            (document,) = cursor.fetchone()
        transaction.set_rollback(True)  # the SET LOCALs end here
    return (document if isinstance(document, list) else json.loads(document))[0]


def on_transactions_recorded(event: TransactionsRecorded) -> None:
    """A sale refreshes its customer at once (after its commit); an import queues a refresh of
    the tenant, one statement for all its customers. Idempotent, as the hook requires."""
    if event.import_job_id is not None:
        from customers import tasks  # tasks import the import service, which imports this app

        tasks.refresh_customer_activity.delay(event.tenant_id)
        return
    tenant = Tenant.objects.get(pk=event.tenant_id)
    with scope(tenant=tenant):  # after the commit, the request's scope may be gone
        customer_ids = set(recorded_transactions(event).values_list("customer_id", flat=True))
        if customer_ids:
            customer_activity_refresh(tenant=tenant, customer_ids=sorted(customer_ids))


# --- the list: one query per page, and sorts served by the table's indexes ----------------------


def activity_by_customer(*, tenant: Tenant, customer_ids: list[int]) -> dict[int, Any]:
    rows = CustomerActivity.objects.filter(tenant=tenant, customer_id__in=customer_ids)
    return {row.customer_id: row for row in rows}


def export_field(field: str):
    """The export cell of an activity column: the field of the row (None without a row)."""

    def cell(activity: CustomerActivity | None) -> Any:
        return getattr(activity, field) if activity is not None else None

    return cell


def _ordered_by_activity(queryset: QuerySet, tenant: Tenant, *order: Any) -> QuerySet:
    """Walk one of CustomerActivity's indexes (tenant, field, customer) and join the customers
    to it: an inner join on the activity's own tenant and key, so the first page reads 26
    index entries at a million customers instead of sorting them all. A customer added since
    the last refresh has no row yet and appears in these sorts from the next refresh on."""
    return queryset.filter(activity__tenant=tenant).order_by(*order)


def by_revenue(queryset: QuerySet, *, tenant: Tenant) -> QuerySet:
    return _ordered_by_activity(
        queryset, tenant, F("activity__revenue_window").desc(), F("activity__customer").desc()
    )


def by_last_purchase(queryset: QuerySet, *, tenant: Tenant) -> QuerySet:
    return _ordered_by_activity(
        queryset,
        tenant,
        F("activity__last_purchase_at").desc(nulls_last=True),
        F("activity__customer").desc(),
    )


def by_last_contact(queryset: QuerySet, *, tenant: Tenant) -> QuerySet:
    return _ordered_by_activity(
        queryset,
        tenant,
        F("activity__last_contact_at").desc(nulls_last=True),
        F("activity__customer").desc(),
    )


def by_longest_without_contact(queryset: QuerySet, *, tenant: Tenant) -> QuerySet:
    return _ordered_by_activity(
        queryset,
        tenant,
        F("activity__last_contact_at").asc(nulls_first=True),
        F("activity__customer").asc(),
    )


QUIET_DAYS_MAX = 36_500  # a hundred years: "never contacted" in all but name


def quiet_filter(*, tenant: Tenant) -> django_filters.NumberFilter:
    """ "Not contacted for at least N days" (never contacted included)."""
    return django_filters.NumberFilter(
        label=_("Not contacted for (days)"),
        method=_not_contacted_for,
        min_value=1,
        max_value=QUIET_DAYS_MAX,  # past it, timedelta overflows
    )


def _not_contacted_for(queryset: QuerySet, name: str, value: Any) -> QuerySet:
    if not value:
        return queryset
    since = timezone.now() - timedelta(days=int(value))
    return queryset.filter(
        Q(activity__last_contact_at__lt=since) | Q(activity__last_contact_at__isnull=True)
    )


def demo_activity_load(*, tenant: Tenant, size: str = "small") -> str:
    rows = customer_activity_refresh(tenant=tenant)
    return f"customer activity: {rows} customers"
