"""Reads about customers: the list (search, filters, sorting), the customer page, totals,
the timeline, referrals, duplicate warnings and the feedback list."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from customers.filters import CustomerFilter
from customers.models import Customer


def customer_filterset(*, tenant, params: Mapping[str, Any] | None) -> CustomerFilter:
    """The bound FilterSet for `params` (its form renders the filter bar)."""
    base = Customer.objects.filter(tenant=tenant).select_related("owner")
    return CustomerFilter(params, queryset=base, tenant=tenant)


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


MAX_PAGE = 10_000


def page_without_count(queryset: QuerySet, *, page: Any, page_size: int = 25) -> PageSlice:
    """Fetch page `page` as page_size + 1 rows: the extra row only tells whether there is a next
    page, so no COUNT(*) over a million customers runs on each view."""
    try:
        number = min(max(int(page), 1), MAX_PAGE)
    except (TypeError, ValueError):
        number = 1
    offset = (number - 1) * page_size
    rows = list(queryset[offset : offset + page_size + 1])
    return PageSlice(
        object_list=rows[:page_size],
        number=number,
        page_size=page_size,
        has_next=len(rows) > page_size,
    )
