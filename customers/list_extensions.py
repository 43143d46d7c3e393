"""The customer-list registry: higher apps add columns, filters and sorts to the customer list.

`customers` never imports the apps that contribute (segmentation, loyalty, ...): they call
`register_list_column`, `register_list_filter`, `register_list_sort` and
`register_list_bulk_action` in their AppConfig.ready(). Everything stays set-based:

- a column loads its values for the whole page at once: `values(tenant=, customer_ids=)` returns
  {customer id: value}, one query per column and page (never one per row);
- a filter is a django-filter Filter built for the tenant (choices are the tenant's own), whose
  method narrows the queryset in SQL;
- a sort orders the queryset in SQL (`apply(queryset, tenant=)`); a sort that cannot use an
  index at a million customers should say so in its docstring and be measured in bench/;
- a bulk action acts on the ticked rows in one statement (`apply(tenant=, actor=,
  customer_ids=, value=)` returns how many changed, raises list_actions.ListActionError with a
  message for the user); its one select's options are the tenant's own (`choices(tenant=)`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils.functional import Promise

from crm.tenancy.permissions import role_has_permission


@dataclass(frozen=True)
class ListColumn:
    key: str
    label: str | Promise
    # value -> the cell's HTML, None when values() has none (customers/list_cells.py: Python,
    # not a template, because every page renders 25 rows × every column).
    render: Callable[[Any], str]
    # (tenant=, customer_ids=) -> {customer id: value}: one query for the page's customers.
    values: Callable[..., dict[int, Any]]
    # The ListSort a click on the column header applies (None: the column is not sortable).
    sort: str | None = None
    permission: str = "customers.view"
    # Shown on the phone card too (below 576 px the list is a list of cards).
    on_card: bool = False
    order: int = 100
    # value -> a plain cell (str, Decimal, date, datetime, None) for the customer CSV export;
    # None leaves the column out of the export.
    export: Callable[[Any], Any] | None = None


@dataclass(frozen=True)
class ListFilter:
    key: str  # the query parameter, e.g. "tier"
    # (tenant=) -> a django_filters.Filter whose method filters in SQL; its label is the field's.
    build: Callable[..., Any]
    permission: str = "customers.view"
    order: int = 100
    # For a filter whose table keeps a copy of Customer.name_sort_key, always equal to it, and
    # whose method joins that table: (bound value) -> the (name key, customer id) lookups of the
    # copy when an index of that table gives the filtered customers in name order (e.g. the
    # scores' (tenant, tier, name) for one tier), else None. The list's name order then reads
    # them: a page of a small group without walking the whole tenant's name index to find it.
    name_order: Callable[[Any], tuple[str, str] | None] | None = None


@dataclass(frozen=True)
class ListSort:
    key: str  # the value of ?sort=, e.g. "-score"
    label: str | Promise
    # (queryset, tenant=) -> the queryset ordered (with a unique last key, e.g. "id").
    apply: Callable[..., QuerySet]
    permission: str = "customers.view"
    order: int = 100
    # Extra facts for the bench and readers: whether an index serves it at scale.
    notes: str = field(default="", compare=False)


@dataclass(frozen=True)
class ListBulkAction:
    key: str  # the value of the bulk form's `action`, e.g. "segment"; also its select's name
    label: str | Promise  # in the action select: "Add to segment"
    field_label: str | Promise  # the label of its own select: "Segment"
    # (tenant=) -> [(value, label), ...]: one query, the tenant's own options.
    choices: Callable[..., list[tuple[Any, str]]]
    # (tenant=, actor=, customer_ids=, value=) -> how many customers changed.
    apply: Callable[..., int]
    # count -> the success message ("Added to the segment: 3 customers.").
    message: Callable[[int], str]
    permission: str = "customers.edit"
    order: int = 100


_columns: dict[str, ListColumn] = {}
_filters: dict[str, ListFilter] = {}
_sorts: dict[str, ListSort] = {}
_bulk_actions: dict[str, ListBulkAction] = {}


def register_list_column(column: ListColumn) -> None:
    _columns[column.key] = column


def register_list_filter(list_filter: ListFilter) -> None:
    _filters[list_filter.key] = list_filter


def register_list_sort(sort: ListSort) -> None:
    _sorts[sort.key] = sort


def register_list_bulk_action(action: ListBulkAction) -> None:
    _bulk_actions[action.key] = action


def _allowed(items: Iterable[Any], role: str | None) -> list[Any]:
    return sorted(
        (item for item in items if role is None or role_has_permission(role, item.permission)),
        key=lambda item: (item.order, item.key),
    )


def list_columns(*, role: str | None = None) -> list[ListColumn]:
    """Registered columns in their order; with `role`, only those the role may see."""
    return _allowed(_columns.values(), role)


def list_filters(*, role: str | None = None) -> list[ListFilter]:
    return _allowed(_filters.values(), role)


def list_sorts(*, role: str | None = None) -> list[ListSort]:
    return _allowed(_sorts.values(), role)


def list_bulk_actions(*, role: str | None = None) -> list[ListBulkAction]:
    return _allowed(_bulk_actions.values(), role)


def column_values(
    *, tenant, customer_ids: list[int], columns: list[ListColumn]
) -> dict[str, dict[int, Any]]:
    """{column key: {customer id: value}} for one page: one query per loader (columns with the
    same `values` function share it), none when the page is empty."""
    if not customer_ids:
        return {column.key: {} for column in columns}
    loaded: dict[Callable[..., dict[int, Any]], dict[int, Any]] = {}
    for column in columns:  # columns sharing a loader (tier and score) share its one query
        if column.values not in loaded:
            loaded[column.values] = column.values(tenant=tenant, customer_ids=customer_ids)
    return {column.key: loaded[column.values] for column in columns}
