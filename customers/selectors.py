"""Reads about customers: the list (search, filters, sorting), the customer page, totals,
the timeline, referrals, duplicate warnings and the feedback list."""

from __future__ import annotations

import heapq
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db import OperationalError, connection, transaction
from django.db.models import Count, DecimalField, F, Max, Min, Q, QuerySet, Sum, Window
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.phonenumber import PhoneNumber
from phonenumbers import NumberParseException
from psycopg.errors import QueryCanceled

from customers import list_extensions
from customers.filters import CustomerFilter, FeedbackFilter, planner_estimate
from customers.models import (
    CONSENT_FIELD_BY_CHANNEL,
    AgendaSettings,
    ConsentChannel,
    ConsentRecord,
    Customer,
    Feedback,
    FeedbackStatus,
    Interaction,
    SavedView,
    Transaction,
    TransactionKind,
    TransactionStatus,
)
from customers.timeline import timeline_sources


def customer_filterset(
    *, tenant, params: Mapping[str, Any] | None, role: str | None = None
) -> CustomerFilter:
    """The bound FilterSet for `params` (its form renders the filter bar). With `role`, only the
    other apps' filters and sorts that role may use (customers/list_extensions.py)."""
    base = Customer.objects.filter(tenant=tenant).select_related("owner")
    return CustomerFilter(params, queryset=base, tenant=tenant, role=role)


def customer_list(*, tenant, params: Mapping[str, Any] | None = None) -> QuerySet[Customer]:
    """Customers of `tenant` matching the search, filters and sort in `params` (a GET QueryDict).

    Without filters: active (non-archived) customers by name, Turkish alphabetical order.
    """
    return customer_filterset(tenant=tenant, params=params).qs


@dataclass(frozen=True)
class PageSlice:
    """One page of a list, known to have a next page without counting the whole list."""

    object_list: list
    number: int
    page_size: int
    has_next: bool
    # More rows exist, but past the last page we serve: the user should narrow the list.
    beyond_last_page: bool = False
    # How many rows the whole list has, when the page's own query counted them (page_and_count).
    total: int | None = None

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def start_index(self) -> int:
        return (self.number - 1) * self.page_size + 1 if self.object_list else 0

    @property
    def end_index(self) -> int:
        return (self.number - 1) * self.page_size + len(self.object_list)


# OFFSET paging costs grow with depth (page 4,000 of a million customers took 0.7 s); nobody
# reads 10,000 customers page by page, so past this the list asks for a narrower search.
MAX_PAGE = 400
# A broad search walks the sort index; past this it is a bunched-up one (see filters.py).
BROAD_SEARCH_TIMEOUT_MS = 120


def customer_list_page(
    *, tenant, params: Mapping[str, Any] | None, page_size: int = 25, role: str | None = None
) -> tuple[CustomerFilter, PageSlice]:
    """The list page: the bound filters (for the form) and one page of customers."""
    filterset = customer_filterset(tenant=tenant, params=params, role=role)
    queryset = filterset.qs  # filtering decides the search plan
    page = (params or {}).get("page")
    if filterset.search_plan == "narrow":
        return filterset, page_and_count(
            queryset, rows_by_id=filterset.queryset, page=page, page_size=page_size
        )
    if filterset.search_plan == "broad":
        try:
            return filterset, _page_within_time(queryset, page=page, page_size=page_size)
        except OperationalError as exc:
            if not isinstance(exc.__cause__, QueryCanceled):
                raise
            return filterset, page_without_count(
                filterset.qs_through_search_index, page=page, page_size=page_size
            )
    return filterset, page_without_count(queryset, page=page, page_size=page_size)


def _page_within_time(queryset: QuerySet, *, page: Any, page_size: int) -> PageSlice:
    """Walk the sort index for a broad search, within a time limit. The planner's estimate of
    prefix matches can be far off (phone prefixes), so the walk is asked for, not left to it.
    SET LOCAL ends with the transaction, or with the savepoint when it is rolled back."""
    settings = {
        "statement_timeout": str(int(BROAD_SEARCH_TIMEOUT_MS)),
        "enable_bitmapscan": "off",
        "enable_seqscan": "off",
    }
    # Each group of settings in one round trip (several statements, no parameters).
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("; ".join(f"SET LOCAL {name} = {value}" for name, value in settings.items()))
        result = page_without_count(queryset, page=page, page_size=page_size)
        cursor.execute("; ".join(f"SET LOCAL {name} TO DEFAULT" for name in settings))
    return result


def _page_number(page: Any) -> int:
    try:
        return min(max(int(page), 1), MAX_PAGE)
    except (TypeError, ValueError):
        return 1


def _page_slice(rows: list, *, number: int, page_size: int, total: int | None = None) -> PageSlice:
    more = len(rows) > page_size
    return PageSlice(
        object_list=rows[:page_size],
        number=number,
        page_size=page_size,
        has_next=more and number < MAX_PAGE,
        beyond_last_page=more and number >= MAX_PAGE,
        total=total,
    )


def page_without_count(queryset: QuerySet, *, page: Any, page_size: int = 25) -> PageSlice:
    """Fetch page `page` as page_size + 1 rows: the extra row only tells whether there is a next
    page, so no COUNT(*) over a million customers runs on each view."""
    number = _page_number(page)
    offset = (number - 1) * page_size
    rows = list(queryset[offset : offset + page_size + 1])
    return _page_slice(rows, number=number, page_size=page_size)


def page_and_count(
    queryset: QuerySet, *, rows_by_id: QuerySet, page: Any, page_size: int = 25
) -> PageSlice:
    """Page `page` of a list that is read whole and sorted anyway (a narrow search: the search
    index gives every match, then they are sorted), with its total: one read of the search
    index serves both. Counting apart read the index a second time (a GIN scan of
    "mehmet öz", 21 ms at a million customers, as long as the page's).

    The first query sorts the matches' ids and counts them in a window (only ids and sort keys
    are held for it, not whole rows); the second fetches the page's rows by primary key from
    `rows_by_id` (the same customers, unfiltered: a search condition there could make the
    planner read the search index again)."""
    number = _page_number(page)
    offset = (number - 1) * page_size
    keys = list(
        queryset.annotate(matches=Window(Count("*"))).values_list("pk", "matches")[
            offset : offset + page_size + 1
        ]
    )
    found = rows_by_id.in_bulk([pk for pk, _matches in keys])
    rows = [found[pk] for pk, _matches in keys if pk in found]  # gone since: left out
    # Past the last match no row carries the total; the count is left to customer_count.
    total = keys[0][1] if keys else (0 if offset == 0 else None)
    return _page_slice(rows, number=number, page_size=page_size, total=total)


@dataclass(frozen=True)
class ListRow:
    customer: Customer
    # {"column": ListColumn, "value": ..., "html": the rendered cell} per registered column;
    # rendered once here, shown in the table and again on the phone card.
    cells: list[dict[str, Any]]


def _cell(column, value) -> dict[str, Any]:
    return {"column": column, "value": value, "html": column.render(value)}


def customer_list_rows(*, tenant, customers: list[Customer], role: str | None) -> tuple[list, list]:
    """The registered columns the role may see and one row per customer with their values:
    one query per column for the whole page (customers/list_extensions.py)."""
    columns = list_extensions.list_columns(role=role)
    values = list_extensions.column_values(
        tenant=tenant, customer_ids=[customer.pk for customer in customers], columns=columns
    )
    rows = [
        ListRow(
            customer=customer,
            cells=[_cell(column, values[column.key].get(customer.pk)) for column in columns],
        )
        for customer in customers
    ]
    return columns, rows


@dataclass(frozen=True)
class CustomerCount:
    number: int
    exact: bool


# Up to this many matches the list counts them; beyond, it shows the planner's estimate. The
# count probes every match (a tier of 6,312 customers at a million: 190–380 ms under load, more
# than the page itself), so it stays small: "about 6.300 customers" is what the list says.
EXACT_COUNT_LIMIT = 1_000


def customer_count(*, filterset: CustomerFilter, page: PageSlice | None = None) -> CustomerCount:
    """How many customers the filters match: exact when few, else the planner's estimate
    ("about 1.000.000 customers"): no COUNT(*) over a million rows on each view. With the list's
    `page`, no query when the page already tells: its query counted (page_and_count), or it is
    the last page."""
    if page is not None:
        if page.total is not None:
            return CustomerCount(number=page.total, exact=True)
        if (
            not page.has_next
            and not page.beyond_last_page
            and (page.object_list or page.number == 1)
        ):
            return CustomerCount(number=page.end_index, exact=True)
    queryset = filterset.unsorted_qs if hasattr(filterset, "unsorted_qs") else filterset.qs
    queryset = queryset.order_by()
    estimate = planner_estimate(queryset)
    if estimate <= EXACT_COUNT_LIMIT:
        exact = queryset[: EXACT_COUNT_LIMIT + 1].count()  # bounded, on an index
        if exact <= EXACT_COUNT_LIMIT:
            return CustomerCount(number=exact, exact=True)
        estimate = max(estimate, exact)
    return CustomerCount(number=_rounded(estimate), exact=False)


def _rounded(number: int) -> int:
    """Two significant digits: an estimate should not look exact (1.034.211 -> 1.000.000)."""
    if number < 100:
        return number
    digits = len(str(number)) - 2
    return int(round(number, -digits))


def saved_view_detail(*, tenant, user, view_id: int) -> SavedView:
    """One of the user's own saved views; 404 for anyone else's."""
    return get_object_or_404(SavedView.objects.filter(tenant=tenant, user=user), pk=view_id)


# --- people -----------------------------------------------------------------------------------


def tenant_members(*, tenant) -> QuerySet:
    """Users who belong to the tenant: owners and assignees are chosen among them."""
    return (
        get_user_model()
        .objects.filter(memberships__tenant=tenant)
        .order_by("first_name", "last_name", "username")
    )


# --- the customer page --------------------------------------------------------------------------


def customer_detail(*, tenant, customer_id: int) -> Customer:
    """The customer with what the page's key facts show; 404 for another tenant's id."""
    return get_object_or_404(
        Customer.objects.filter(tenant=tenant).select_related("owner", "referred_by"),
        pk=customer_id,
    )


@dataclass(frozen=True)
class ConsentState:
    channel: str
    label: str
    granted: bool
    record: ConsentRecord | None  # the latest grant or withdrawal: when and how


def customer_consents(*, tenant, customer: Customer) -> list[ConsentState]:
    """Current consent per channel with the evidence of the latest record (one query)."""
    latest = {
        record.channel: record
        for record in ConsentRecord.objects.filter(tenant=tenant, customer=customer)
        .order_by("channel", "-recorded_at", "-id")
        .distinct("channel")
        .select_related("recorded_by")
    }
    return [
        ConsentState(
            channel=channel.value,
            label=channel.label,
            granted=getattr(customer, CONSENT_FIELD_BY_CHANNEL[channel]),
            record=latest.get(channel.value),
        )
        for channel in ConsentChannel
    ]


@dataclass(frozen=True)
class CustomerTotals:
    revenue: Decimal
    margin: Decimal
    orders: int
    first_purchase: datetime | None
    last_purchase: datetime | None
    late_payments: int

    @property
    def average_order_value(self) -> Decimal:
        if not self.orders:
            return Decimal("0.00")
        return (self.revenue / self.orders).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def customer_totals(*, tenant, customer: Customer) -> CustomerTotals:
    """Revenue, margin, orders, first and last purchase of completed purchases (refunds
    excluded), in one aggregate query. Margin counts the sales whose cost is known."""
    today = timezone.localdate()
    row = Transaction.objects.filter(
        tenant=tenant,
        customer=customer,
        status=TransactionStatus.COMPLETED,
        kind=TransactionKind.PURCHASE,
    ).aggregate(
        revenue=Coalesce(Sum("amount"), Decimal("0")),
        margin=Coalesce(
            Sum(F("amount") - F("cost"), filter=Q(cost__isnull=False)),
            Decimal("0"),
            output_field=DecimalField(max_digits=16, decimal_places=2),
        ),
        orders=Count("id"),
        first_purchase=Min("occurred_at"),
        last_purchase=Max("occurred_at"),
        late_payments=Count(
            "id",
            filter=Q(paid_date__gt=F("due_date")) | Q(paid_date__isnull=True, due_date__lt=today),
        ),
    )
    return CustomerTotals(**row)


@dataclass(frozen=True)
class TimelineEntry:
    kind: str  # "purchase" | "contact" | "feedback" | a registered source's kind
    when: datetime
    item: Any
    template_name: str = ""  # a registered source's entry template


TIMELINE_LIMIT = 20


@dataclass(frozen=True)
class Timeline:
    entries: list[TimelineEntry]
    has_more: bool

    @property
    def next_before(self) -> datetime | None:
        return self.entries[-1].when if self.entries and self.has_more else None


def customer_timeline(
    *, tenant, customer: Customer, before: datetime | None = None, limit: int = TIMELINE_LIMIT
) -> Timeline:
    """Purchases, contacts and feedback, and the entries of registered sources
    (customers/timeline.py), newest first, `limit` at a time (one indexed query of limit + 1
    rows per source, merged): a customer with thousands of purchases costs the same."""
    sources = [
        (
            "purchase",
            "occurred_at",
            Transaction.objects.filter(tenant=tenant, customer=customer).select_related(
                "product", "category"
            ),
        ),
        (
            "contact",
            "occurred_at",
            Interaction.objects.filter(tenant=tenant, customer=customer).select_related("user"),
        ),
        (
            "feedback",
            "opened_at",
            Feedback.objects.filter(tenant=tenant, customer=customer).select_related("assignee"),
        ),
    ]
    sources = [(kind, field, queryset, "") for kind, field, queryset in sources] + [
        (
            source.kind,
            source.date_field,
            source.get_queryset(tenant=tenant, customer=customer),
            source.template_name,
        )
        for source in timeline_sources()
    ]
    if before is not None:
        sources = [
            (kind, field, queryset.filter(**{f"{field}__lt": before}), template)
            for kind, field, queryset, template in sources
        ]
    streams = []
    for kind, field, queryset, template in sources:
        rows = queryset.order_by(f"-{field}", "-id")[: limit + 1]
        streams.append([TimelineEntry(kind, getattr(row, field), row, template) for row in rows])
    merged = list(heapq.merge(*streams, key=lambda entry: entry.when, reverse=True))
    if len(merged) > limit and merged[limit].when == merged[limit - 1].when:
        return _timeline_without_split_moment(sources, merged[: limit - 1], merged[limit - 1].when)
    return Timeline(entries=merged[:limit], has_more=len(merged) > limit)


def _timeline_without_split_moment(sources, newer: list, moment: datetime) -> Timeline:
    """The page would end inside one moment (an import's purchases all dated 00:00), and "show
    older" continues strictly before the last moment shown: take the whole moment on this page
    so none of its entries is skipped."""
    entries = [entry for entry in newer if entry.when != moment]
    for kind, field, queryset, template in sources:
        at_moment = queryset.filter(**{field: moment}).order_by("-id")
        entries.extend(TimelineEntry(kind, moment, row, template) for row in at_moment)
    has_more = any(
        queryset.filter(**{f"{field}__lt": moment}).exists()
        for _kind, field, queryset, _template in sources
    )
    return Timeline(entries=entries, has_more=has_more)


REFERRALS_LIMIT = 20


def customer_referrals(*, tenant, customer: Customer) -> list[Customer]:
    """Customers this customer brought in (the first few, by name)."""
    return list(
        Customer.objects.filter(tenant=tenant, referred_by=customer).order_by(
            "name_sort_key", "id"
        )[:REFERRALS_LIMIT]
    )


@dataclass(frozen=True)
class DuplicateCandidate:
    field: str
    label: str
    customer: Customer


def _normalised_phone(phone: Any) -> str:
    if not phone:
        return ""
    if isinstance(phone, PhoneNumber):
        return phone.as_e164 if phone.is_valid() else ""
    try:
        parsed = PhoneNumber.from_string(str(phone), region="TR")
    except NumberParseException:
        return ""
    return parsed.as_e164 if parsed.is_valid() else ""


def duplicate_candidates(
    *,
    tenant,
    email: str = "",
    phone: Any = "",
    tax_number: str = "",
    exclude_id: int | None = None,
) -> list[DuplicateCandidate]:
    """Other customers of the tenant with the same email, phone or tax number: the form warns
    (it does not refuse: families share a phone, branches a tax number). One indexed query."""
    wanted = {
        "email": (email or "").strip().lower(),
        "phone": _normalised_phone(phone),
        "tax_number": (tax_number or "").strip(),
    }
    condition = Q()
    for field, value in wanted.items():
        if value:
            condition |= Q(**{field: value})
    if not condition:
        return []
    queryset = Customer.objects.filter(condition, tenant=tenant)
    if exclude_id is not None:
        queryset = queryset.exclude(pk=exclude_id)
    labels = {"email": _("email"), "phone": _("phone"), "tax_number": _("tax number")}
    found = []
    for customer in queryset.order_by("name_sort_key", "id")[:10]:
        for field, value in wanted.items():
            if value and str(getattr(customer, field) or "") == value:
                found.append(DuplicateCandidate(field, labels[field], customer))
    return found


# --- feedback ----------------------------------------------------------------------------------


def feedback_filterset(*, tenant, params: Mapping[str, Any] | None) -> FeedbackFilter:
    base = Feedback.objects.filter(tenant=tenant).select_related("customer", "assignee")
    return FeedbackFilter(params, queryset=base, tenant=tenant)


def feedback_list(*, tenant, params: Mapping[str, Any] | None = None) -> QuerySet[Feedback]:
    return feedback_filterset(tenant=tenant, params=params).qs


def feedback_detail(*, tenant, feedback_id: int) -> Feedback:
    return get_object_or_404(
        Feedback.objects.filter(tenant=tenant).select_related("customer", "assignee"),
        pk=feedback_id,
    )


# --- the home page -------------------------------------------------------------------------------

HOME_LIMIT = 5


def recent_customers(*, tenant, limit: int = HOME_LIMIT) -> list[Customer]:
    return list(
        Customer.objects.filter(tenant=tenant, archived_at__isnull=True)
        .select_related("owner")
        .order_by("-created_at", "-id")[:limit]  # index customer_newest
    )


def open_feedback_assigned_to(*, tenant, user, limit: int = HOME_LIMIT) -> list[Feedback]:
    return list(
        Feedback.objects.filter(
            tenant=tenant,
            assignee=user,
            status__in=[FeedbackStatus.OPEN, FeedbackStatus.IN_PROGRESS],
        )
        .select_related("customer")
        .order_by("opened_at", "id")[:limit]  # oldest first: they have waited longest
    )


def contact_detail(*, tenant, contact_id: int) -> Interaction:
    return get_object_or_404(
        Interaction.objects.filter(tenant=tenant).select_related("customer"), pk=contact_id
    )


def agenda_settings(*, tenant) -> AgendaSettings:
    """The company's agenda rules; the defaults (unsaved) until an admin changes them."""
    return AgendaSettings.objects.filter(tenant=tenant).first() or AgendaSettings(tenant=tenant)


@dataclass(frozen=True)
class FollowUpAgenda:
    items: list[Interaction]  # due today or earlier, oldest due first
    overdue: int
    due_today: int
    today: date


AGENDA_LIMIT = 10


def follow_up_agenda(*, tenant, user, today: date | None = None) -> FollowUpAgenda:
    """The user's open follow-ups due today or before (partial index interaction_follow_up_open):
    the first AGENDA_LIMIT and how many are overdue or due today, in two queries."""
    today = today or timezone.localdate()
    open_due = Interaction.objects.filter(
        tenant=tenant,
        follow_up_owner=user,
        follow_up_on__isnull=False,
        follow_up_done_at__isnull=True,
        follow_up_on__lte=today,
    )
    counts = open_due.aggregate(
        overdue=Count("id", filter=Q(follow_up_on__lt=today)),
        due_today=Count("id", filter=Q(follow_up_on=today)),
    )
    items = list(open_due.select_related("customer").order_by("follow_up_on", "id")[:AGENDA_LIMIT])
    return FollowUpAgenda(items=items, today=today, **counts)


def feedback_overdue_before(*, tenant, now: datetime | None = None) -> datetime:
    """Unresolved feedback opened before this moment is overdue (the company's rule)."""
    days = agenda_settings(tenant=tenant).feedback_overdue_days
    return (now or timezone.now()) - timedelta(days=days)
