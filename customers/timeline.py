"""The customer-timeline registry: other apps (campaigns, loyalty) add kinds of entries to the
customer's timeline without `customers` importing them (register in AppConfig.ready()).

A source gives a queryset of the customer's rows and the date field they are ordered by; the
timeline reads `limit + 1` rows of each source and merges them (customers/selectors.py), and
each entry is drawn with the source's template (the row is `item` in it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import QuerySet


@dataclass(frozen=True)
class TimelineSource:
    kind: str
    date_field: str
    get_queryset: Callable[..., QuerySet]  # (tenant=, customer=) -> the customer's rows
    template_name: str  # draws one entry; the row is `item`


_sources: dict[str, TimelineSource] = {}


def register_timeline_source(source: TimelineSource) -> None:
    _sources[source.kind] = source


def timeline_sources() -> list[TimelineSource]:
    return list(_sources.values())
