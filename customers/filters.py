"""The customer list's filters, search and sorting (one FilterSet, shared by the list page and the
CSV export, so "export the filtered list" exports exactly what the page shows)."""

from __future__ import annotations

import copy
import json
from datetime import timedelta
from typing import Any

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.contrib.postgres.search import SearchQuery
from django.db.models import CharField, DateTimeField, ExpressionWrapper, F, QuerySet, Value
from django.db.models.functions import Concat
from django.utils.translation import gettext_lazy as _

from crm.forms import ListedChoiceIterator
from customers import list_extensions
from customers.models import (
    AcquisitionChannel,
    Customer,
    CustomerKind,
    Feedback,
    FeedbackKind,
    FeedbackStatus,
    LifecycleStage,
)
from customers.regions import REGION_CHOICES, canonical_province
from customers.search import (
    VectorMatches,
    customer_search_query,
    phone_digits,
    search_tokens,
    words_query,
)

# Every sort is served by an index on (tenant, ...) so a page never sorts the whole tenant.
SORTS: dict[str, tuple[Any, ...]] = {
    "name": ("name_sort_key", "id"),  # index customer_name_sort
    "-name": ("-name_sort_key", "-id"),  # the same index, backwards
    "newest": ("-created_at", "-id"),  # index customer_newest
    "city": ("city", "name_sort_key", "id"),  # index customer_city
}
SORT_CHOICES = [
    ("name", _("Name (A–Z)")),
    ("-name", _("Name (Z–A)")),
    ("newest", _("Newest first")),
    ("city", _("City")),
]
DEFAULT_SORT = "name"

# How a search is read. A search matching at most this many customers (planner's estimate) is
# "narrow": read through the search (GIN) index, then sorted (~15 µs a row at 1M customers).
# Walking the sort index and testing each row is slow for it when its matches bunch up: "mehmet"
# matches 0.5% of customers, all sorted under M (3.7 s walking vs 77 ms). A "broad" search
# ("yılmaz", "a") walks the sort index, fast while matches are spread (5 ms); customer_list_page
# gives that walk a time limit and falls back to the search index (a common first name).
NARROW_SEARCH_ROWS = 8_000
NARROW_PHONE_DIGITS = 7
# A narrow search of several words reads the search index for its rarer words only: a word
# matching more than this many times the rarest one's customers is tested on the rows they find.
# The index unions the posting lists of every word a prefix matches into a bitmap ("öz": Özdemir,
# Öztürk, Özkan…, 78,641 customers at a million), which costs more than testing the rarer word's
# rows ("mehmet": 4,500) once the prefix matches about seven times as many: "mehmet öz" 132 ms
# reading both words, 58 ms reading "mehmet" (under load); "yılmaz öz" (15,534 and 78,641)
# stays faster reading both.
INDEXED_WORD_RATIO = 7


def _unindexed(sort: tuple[str, ...]) -> tuple[Any, ...]:
    """The same order spelled so that no index provides it (the leading key is an expression)."""
    first, *rest = sort
    name = first.lstrip("-")
    if name == "created_at":
        expression: Any = ExpressionWrapper(F(name) + timedelta(0), output_field=DateTimeField())
    else:
        expression = Concat(F(name), Value(""), output_field=CharField())
    ordered = expression.desc() if first.startswith("-") else expression.asc()
    return (ordered, *rest)


def planner_estimate(queryset: QuerySet) -> int:
    """The rows PostgreSQL expects `queryset` to return (EXPLAIN, nothing is run)."""
    plan = json.loads(queryset.values("pk").explain(format="json"))
    return int(plan[0]["Plan"]["Plan Rows"])


def member_name(user) -> str:
    """A member as people know them: the full name, the username only when there is none."""
    return user.get_full_name() or user.get_username()


def _through_rarer_words(queryset: QuerySet, text: str) -> QuerySet | None:
    """The search's matches found through the index entries of its rarer words only, every word
    tested on the rows they give (INDEXED_WORD_RATIO); None when every word is worth reading
    through the index (or there is one word)."""
    tokens = search_tokens(text)
    if len(tokens) < 2:
        return None
    estimates = {
        token: planner_estimate(queryset.filter(search_vector=words_query([token])))
        for token in set(tokens)
    }
    fewest = max(min(estimates.values()), 1)
    indexed = [token for token in tokens if estimates[token] <= INDEXED_WORD_RATIO * fewest]
    if len(indexed) == len(tokens):
        return None
    return queryset.filter(search_vector=words_query(indexed)).filter(
        VectorMatches("search_vector", words_query(tokens))
    )


class MemberChoices(ListedChoiceIterator):
    """The members read with one plain query, not django-filter's server-side cursor (DECLARE
    WITH HOLD, FETCH, CLOSE for a dozen rows on every list page), its null choice kept."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        if self.field.null_label is not None:
            yield (self.field.null_value, self.field.null_label)
        for member in self.queryset:
            yield self.choice(member)


class MemberChoiceField(django_filters.fields.ModelChoiceField):
    iterator = MemberChoices

    def label_from_instance(self, obj) -> str:
        return member_name(obj)


class MemberChoiceFilter(django_filters.ModelChoiceFilter):
    """A tenant member, shown by name ("Elif Güneş"), not by username."""

    field_class = MemberChoiceField


ARCHIVED_CHOICES = [
    ("archived", _("Archived only")),
    ("all", _("Active and archived")),
]

CONSENT_CHOICES = [("true", _("Given")), ("false", _("Not given"))]


class SharedChoices(list):
    """A filter's choices, read and never changed in place: the copies of the filter that each
    list page makes (FilterSet.__init__ deep-copies its filters) share them."""

    def __deepcopy__(self, memo) -> SharedChoices:
        return self


class ListChoiceField(django_filters.fields.ChoiceField):
    """A filter bar choice field whose copy (the form deep-copies its fields) shares the list of
    choices: copying every (value, label) of the bar's selects was some 2,500 function calls of
    each list page. The copy gets its own choice iterator, pointing at the copy, as a deep copy
    would."""

    def __deepcopy__(self, memo) -> ListChoiceField:
        result = forms.Field.__deepcopy__(self, memo)
        choices = copy.copy(self._choices)  # django-filters' ChoiceIterator(field, choices)
        choices.field = result
        result._choices = choices
        return result


class ListChoiceFilter(django_filters.ChoiceFilter):
    field_class = ListChoiceField


class CustomerFilter(django_filters.FilterSet):
    """Filters of the customer list. Pass `tenant=`: owner choices are that tenant's members."""

    q = django_filters.CharFilter(label=_("Search"), method="filter_search")
    lifecycle_stage = ListChoiceFilter(
        label=_("Lifecycle stage"),
        choices=SharedChoices(LifecycleStage.choices),
        empty_label=_("Any stage"),
    )
    owner = MemberChoiceFilter(
        label=_("Owner"), queryset=get_user_model().objects.none(), empty_label=_("Anyone")
    )
    region = ListChoiceFilter(
        label=_("Region"), choices=SharedChoices(REGION_CHOICES), empty_label=_("Any region")
    )
    city = django_filters.CharFilter(label=_("City / province"), method="filter_city")
    industry = django_filters.CharFilter(label=_("Industry"), method="filter_industry")
    tag = django_filters.CharFilter(label=_("Tag"), method="filter_tag")
    acquisition_channel = ListChoiceFilter(
        label=_("Acquisition channel"),
        choices=SharedChoices(AcquisitionChannel.choices),
        empty_label=_("Any channel"),
    )
    consent_email = ListChoiceFilter(
        label=_("Email consent"),
        choices=SharedChoices(CONSENT_CHOICES),
        method="filter_consent",
        empty_label=_("Any"),
    )
    consent_sms = ListChoiceFilter(
        label=_("SMS consent"),
        choices=SharedChoices(CONSENT_CHOICES),
        method="filter_consent",
        empty_label=_("Any"),
    )
    consent_phone = ListChoiceFilter(
        label=_("Phone consent"),
        choices=SharedChoices(CONSENT_CHOICES),
        method="filter_consent",
        empty_label=_("Any"),
    )
    kind = ListChoiceFilter(
        label=_("Type"), choices=SharedChoices(CustomerKind.choices), empty_label=_("Any type")
    )
    # Empty (the default) means active customers only; applied in filter_queryset.
    archived = ListChoiceFilter(
        label=_("Archived"),
        choices=SharedChoices(ARCHIVED_CHOICES),
        empty_label=_("Active only"),
        method="filter_noop",
    )
    sort = ListChoiceFilter(
        label=_("Sort by"),
        choices=SharedChoices(SORT_CHOICES),
        empty_label=None,
        method="filter_noop",
    )

    class Meta:
        model = Customer
        fields: list[str] = []

    search_plan: str | None = None  # None (no search), "narrow" or "broad"

    def __init__(
        self, data=None, queryset=None, *, tenant, role: str | None = None, **kwargs: Any
    ) -> None:
        # Always bound, so the defaults (active only, sorted by name) apply to an empty query.
        super().__init__(data if data is not None else {}, queryset, **kwargs)
        self.tenant = tenant
        from customers.selectors import tenant_members  # selectors import this module

        # The form is built later, from self.filters: set the tenant's choices before.
        self.filters["owner"].queryset = tenant_members(tenant=tenant)
        # Other apps' filters and sorts (customers/list_extensions.py), for this tenant.
        self.extension_filters = list_extensions.list_filters(role=role)
        for extension in self.extension_filters:
            built = extension.build(tenant=tenant)
            built.parent = self
            built.model = self.queryset.model
            self.filters[extension.key] = built
        self.extension_sorts = {s.key: s for s in list_extensions.list_sorts(role=role)}
        self.filters["sort"].extra["choices"] = [
            *SORT_CHOICES,
            *((key, sort.label) for key, sort in self.extension_sorts.items()),
        ]

    @property
    def members(self) -> list:
        """The tenant's members as the owner filter lists them, read once: the filter bar's
        select then iterates the same (now evaluated) queryset, and the bulk owner choice
        shows this list."""
        return list(self.form.fields["owner"].queryset)

    @property
    def extension_fields(self) -> list:
        """The bound form fields of other apps' filters, for the filter bar."""
        return [self.form[extension.key] for extension in self.extension_filters]

    # --- filter methods ---------------------------------------------------------------------

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        query: SearchQuery | None = customer_search_query(value)
        if query is None:
            return queryset
        matching = queryset.filter(search_vector=query)
        digits = phone_digits(value)
        if digits:
            # Phone and id tokens are all distinct, so the planner cannot estimate a prefix of
            # them ("0532" matched 31,140 customers, estimated 433); the length tells instead.
            narrow = digits >= NARROW_PHONE_DIGITS
        else:
            narrow = planner_estimate(matching) <= NARROW_SEARCH_ROWS
            rarer = _through_rarer_words(queryset, value) if narrow else None
            if rarer is not None:
                matching = rarer
        self.search_plan = "narrow" if narrow else "broad"
        return matching

    def filter_city(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        typed = value.strip()
        # Provinces are stored in their official spelling; foreign cities as typed.
        return queryset.filter(city__in={typed, canonical_province(typed)})

    def filter_industry(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(industry=value.strip())

    def filter_tag(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(tags__contains=[value.strip()])  # GIN index customer_tags

    def filter_consent(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(**{name: value == "true"})

    def filter_noop(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset  # applied in filter_queryset, which also handles the empty value

    # --- defaults that apply when a field is left empty --------------------------------------

    @property
    def sort_key(self) -> str:
        sort = self.form.cleaned_data.get("sort")
        return sort if sort in SORTS or sort in self.extension_sorts else DEFAULT_SORT

    def _ordered(self, queryset: QuerySet, *, through_search_index: bool) -> QuerySet:
        extension = self.extension_sorts.get(self.sort_key)
        if extension is not None:
            return extension.apply(queryset, tenant=self.tenant)
        sort = SORTS[self.sort_key]
        if through_search_index:
            return queryset.order_by(*_unindexed(sort))
        name_order = self._name_order_of_a_filter()
        if name_order is not None and self.sort_key in ("name", "-name"):
            sign = "-" if self.sort_key == "-name" else ""
            return queryset.order_by(*(sign + lookup for lookup in name_order))
        return queryset.order_by(*sort)

    def _name_order_of_a_filter(self) -> tuple[str, str] | None:
        """The name order of an extension filter in use that keeps a copy of the name key (see
        ListFilter.name_order), unless a search decides the plan."""
        if self.search_plan is not None:
            return None
        for extension in self.extension_filters:
            value = self.form.cleaned_data.get(extension.key)
            if extension.name_order is not None and value:
                order = extension.name_order(value)
                if order is not None:
                    return order
        return None

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        queryset = super().filter_queryset(queryset)
        archived = self.form.cleaned_data.get("archived")
        if archived == "archived":
            queryset = queryset.filter(archived_at__isnull=False)
        elif archived != "all":
            queryset = queryset.filter(archived_at__isnull=True)
        self.unsorted_qs = queryset
        return self._ordered(queryset, through_search_index=self.search_plan == "narrow")

    @property
    def qs_through_search_index(self) -> QuerySet:
        """The same rows and order, read through the search index (the broad-search fallback)."""
        self.qs  # noqa: B018 -- filters first
        return self._ordered(self.unsorted_qs, through_search_index=True)


UNRESOLVED = "unresolved"
FEEDBACK_STATUS_CHOICES = [
    (UNRESOLVED, _("Open or in progress")),
    *FeedbackStatus.choices,
    ("all", _("All")),
]


class FeedbackFilter(django_filters.FilterSet):
    """Filters of the feedback list; by default what still needs someone's attention."""

    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=FEEDBACK_STATUS_CHOICES, empty_label=None, method="filter_noop"
    )
    kind = django_filters.ChoiceFilter(
        label=_("Type"), choices=FeedbackKind.choices, empty_label=_("Any type")
    )
    assignee = MemberChoiceFilter(
        label=_("Assigned to"),
        queryset=get_user_model().objects.none(),
        empty_label=_("Anyone"),
    )

    class Meta:
        model = Feedback
        fields: list[str] = []

    def __init__(self, data=None, queryset=None, *, tenant, **kwargs: Any) -> None:
        super().__init__(data if data is not None else {}, queryset, **kwargs)
        from customers.selectors import tenant_members  # selectors import this module

        self.filters["assignee"].queryset = tenant_members(tenant=tenant)  # the form is built later

    def filter_noop(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        queryset = super().filter_queryset(queryset)
        status = self.form.cleaned_data.get("status") or UNRESOLVED
        if status == UNRESOLVED:
            queryset = queryset.filter(status__in=[FeedbackStatus.OPEN, FeedbackStatus.IN_PROGRESS])
        elif status != "all":
            queryset = queryset.filter(status=status)
        return queryset.order_by("-opened_at", "-id")  # index feedback_status
