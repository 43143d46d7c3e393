"""The segment-criteria registry: higher apps add criteria to the segment builder.

segmentation never imports the apps that contribute (prediction, ...): they call
`register_segment_criterion` in their AppConfig.ready(). A criterion brings

- its form fields (`fields(tenant=)`: {name: django form field}); the builder shows them under
  the names ``<key>__<name>``, after segmentation's own criteria;
- `value(cleaned)`: the fields' cleaned values ({name: value}) turned into the JSON value the
  segment stores, or None when the criterion is not used; it may raise
  `forms.ValidationError` (a dict keyed by field name puts the messages on those fields);
- `initial(value)`: the stored value back into the fields' initial values;
- `q(tenant=, value=)`: the criterion as a Q over Customer, evaluated in SQL. It joins the
  membership query like any other criterion (AND), so `segment_members`, the builder's live
  count, the recompute's segment sizes and frozen snapshots all stay one set-based query.
  Reach the app's own tables through a reverse relation (``prediction__propensity__gte``) or
  an ``Exists(...)`` subquery correlated on ``OuterRef("pk")``; never list customer ids in
  Python;
- `describe(tenant=, value=)`: one sentence for the segment's page ("Purchase propensity in
  30 days at least 40 %").

A saved segment keeps the values in `Segment.extra_criteria` ({key: value}). A stored key whose
criterion is no longer registered matches nobody: a segment (and a campaign built on it) never
silently widens.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django import forms
from django.db.models import Q
from django.utils.functional import Promise
from django.utils.translation import gettext as _

FIELD_SEPARATOR = "__"


@dataclass(frozen=True)
class SegmentCriterion:
    key: str  # stored under Segment.extra_criteria[key]; letters, digits and "_" only
    label: str | Promise  # what the criterion is, e.g. "Purchase propensity"
    # (tenant=) -> {field name: form field}; the tenant's own choices (products, ...).
    fields: Callable[..., dict[str, forms.Field]]
    # {field name: cleaned value} -> JSON value, or None when the criterion is not used.
    value: Callable[[Mapping[str, Any]], Any]
    # (tenant=, value=) -> Q over Customer (SQL only).
    q: Callable[..., Q]
    # (tenant=, value=) -> a sentence for the segment's page.
    describe: Callable[..., str]
    # JSON value -> {field name: initial value} for the builder.
    initial: Callable[[Any], dict[str, Any]] = lambda value: {}
    order: int = 100


_criteria: dict[str, SegmentCriterion] = {}


def register_segment_criterion(criterion: SegmentCriterion) -> None:
    if not criterion.key.isidentifier() or FIELD_SEPARATOR in criterion.key:
        raise ValueError(f"A segment criterion key is a plain identifier: {criterion.key!r}")
    _criteria[criterion.key] = criterion


def segment_criteria() -> list[SegmentCriterion]:
    """The registered criteria in their order."""
    return sorted(_criteria.values(), key=lambda criterion: (criterion.order, criterion.key))


def segment_criterion(key: str) -> SegmentCriterion | None:
    return _criteria.get(key)


def field_name(criterion: SegmentCriterion, name: str) -> str:
    """The builder's name of one of a criterion's fields."""
    return f"{criterion.key}{FIELD_SEPARATOR}{name}"


def extra_q(*, tenant, key: str, value: Any) -> Q:
    criterion = _criteria.get(key)
    if criterion is None:  # its app is gone: match nobody rather than everyone
        return Q(pk__in=[])
    return criterion.q(tenant=tenant, value=value)


def extra_description(*, tenant, key: str, value: Any) -> str:
    criterion = _criteria.get(key)
    if criterion is None:
        return _("A criterion that is no longer available (nobody matches it).")
    return criterion.describe(tenant=tenant, value=value)
