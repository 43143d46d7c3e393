"""What segmentation adds to the customer list (customers/list_extensions.py): the tier badge and
the score as columns, a tier filter and the sort by score. Registered in apps.py."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import F, QuerySet
from django.utils.translation import gettext_lazy as _

from crm.models import Tenant
from customers.models import ProductCategory
from segmentation.models import (
    CustomerClass,
    CustomerScore,
    GrowthBand,
    OutsideGroup,
    Segment,
    Tier,
)
from segmentation.segment_selectors import segment_members


def scores_by_customer(*, tenant: Tenant, customer_ids: list[int]) -> dict[int, CustomerScore]:
    """The page's scores with their tiers: one query (primary-key lookups)."""
    scores = CustomerScore.objects.filter(
        tenant=tenant, customer_id__in=customer_ids
    ).select_related("tier")
    return {score.customer_id: score for score in scores}


def tier_filter(*, tenant: Tenant) -> django_filters.MultipleChoiceFilter:
    """Customers in any of the chosen tiers ("Platin and Altın")."""
    choices = [(str(tier.pk), tier.name) for tier in Tier.objects.filter(tenant=tenant)]

    def in_tiers(queryset: QuerySet, name: str, value: list[str]) -> QuerySet:
        """One tier: an inner join of the customers' score rows in it. Sorted by name, the list
        then reads the scores' (tenant, tier, name key, customer) index in order
        (tier_name_order, CustomerScore.name_sort_key), a few dozen entries for a page of the
        peak tier (1 % of a million customers) instead of probing the customers in the tenant's
        name order until 26 are in it; sorted by score, the score row walked is the one tested.

        Several tiers: a semi-join (IN) on their scores through the same index; the planner
        hashes their customers once and walks the list's sort index (denser groups: fewer
        probes), 2.4 times faster than joining every customer's score (153 ms, not 362)."""
        if not value:
            return queryset
        tier_ids = [int(tier_id) for tier_id in value]
        if len(tier_ids) == 1:
            return queryset.filter(score__tenant=tenant, score__tier_id=tier_ids[0])
        scores = CustomerScore.objects.filter(tenant=tenant, tier_id__in=tier_ids)
        return queryset.filter(pk__in=scores.values("customer_id"))

    return django_filters.MultipleChoiceFilter(
        field_name="tier",
        label=_("Tier"),
        choices=choices,
        method=in_tiers,
        widget=forms.CheckboxSelectMultiple,
    )


def tier_name_order(value: list[str]) -> tuple[str, str] | None:
    """The tier filter's name order (customers/list_extensions.ListFilter.name_order): the
    scores' copy of the name key when one tier is chosen; for several, the index gives each
    tier's customers in order but not their union, and the list walks the customers' own name
    index (denser groups: fewer probes)."""
    if len(value) != 1:
        return None
    return ("score__name_sort_key", "score__customer_id")


def by_score(queryset: QuerySet, *, tenant: Tenant) -> QuerySet:
    """Highest score first; customers without a score (prospects, inactive) last.

    Walks CustomerScore's (tenant, score band) index and joins the customers to it (an inner
    join on the score's own tenant and key, as the activity sorts do), sorting only each
    whole-number band's scores as the page needs them (incremental sort): the first page at
    a million customers reads one band instead of sorting every score. CustomerScore has no
    index on the score itself, which would make the nightly update of every row non-HOT (see
    its Meta). A customer added since the last score run has no score row yet and appears in
    this sort from the next run on.
    """
    return queryset.filter(score__tenant=tenant).order_by(
        F("score__score_band").desc(nulls_last=True),
        F("score__score").desc(nulls_last=True),
        "id",
    )


def by_score_ascending(queryset: QuerySet, *, tenant: Tenant) -> QuerySet:
    """Lowest score first: sorts the filtered customers' scores (no index serves it)."""
    return queryset.order_by(F("score__score").asc(nulls_last=True), "id")


# --- filters of the dashboard's links: class, segment, revenue growth, category, outside -------


def class_filter(*, tenant: Tenant) -> django_filters.MultipleChoiceFilter:
    """Customers of any of the chosen classes (as of the last calculation)."""
    return django_filters.MultipleChoiceFilter(
        field_name="customer_class",
        label=_("Class"),
        choices=CustomerClass.choices,
        method=_filter_facts("customer_class__in"),
        widget=forms.CheckboxSelectMultiple,
    )


def growth_filter(*, tenant: Tenant) -> django_filters.MultipleChoiceFilter:
    return django_filters.MultipleChoiceFilter(
        field_name="growth_band",
        label=_("Revenue growth"),
        choices=GrowthBand.choices,
        method=_filter_facts("growth_band__in"),
    )


def outside_filter(*, tenant: Tenant) -> django_filters.ChoiceFilter:
    """Inactive customers or prospects (outside the pyramid)."""
    return django_filters.ChoiceFilter(
        field_name="outside",
        label=_("Outside the pyramid"),
        choices=OutsideGroup.choices,
        empty_label=_("Any"),
        method=_filter_outside,
    )


def category_filter(*, tenant: Tenant) -> django_filters.ChoiceFilter:
    choices = [
        (str(pk), name)
        for pk, name in ProductCategory.objects.filter(tenant=tenant).values_list("pk", "name")
    ]
    return django_filters.ChoiceFilter(
        field_name="category_bought",
        label=_("Bought in the window"),
        choices=choices,
        empty_label=_("Any category"),
        method=_filter_category,
    )


def segment_filter(*, tenant: Tenant) -> django_filters.ChoiceFilter:
    """The members of a saved segment (one subquery: segment_members)."""
    choices = [
        (str(pk), name)
        for pk, name in Segment.objects.filter(tenant=tenant).values_list("pk", "name")
    ]
    return django_filters.ChoiceFilter(
        field_name="segment",
        label=_("Segment"),
        choices=choices,
        empty_label=_("Any segment"),
        method=_filter_segment(tenant),
    )


def _filter_facts(lookup: str):
    def method(queryset: QuerySet, name: str, value) -> QuerySet:
        if not value:
            return queryset
        return queryset.filter(**{f"facts__{lookup}": list(value)})

    return method


def _filter_outside(queryset: QuerySet, name: str, value: str) -> QuerySet:
    if not value:
        return queryset
    return queryset.filter(facts__tier__isnull=True, facts__status=value)


def _filter_category(queryset: QuerySet, name: str, value: str) -> QuerySet:
    if not value:
        return queryset
    return queryset.filter(facts__category_ids__overlap=[int(value)])


def _filter_segment(tenant: Tenant):
    def method(queryset: QuerySet, name: str, value: str) -> QuerySet:
        if not value:
            return queryset
        segment = Segment.objects.filter(tenant=tenant, pk=int(value)).first()
        if segment is None:
            return queryset.none()
        members = segment_members(tenant=tenant, segment=segment)
        return queryset.filter(pk__in=members.values("pk"))

    return method


def tier_cell(score: CustomerScore | None) -> str:
    """The export cell of the tier column: the tier's name in the user's language."""
    return score.tier.name if score is not None and score.tier is not None else ""


def score_cell(score: CustomerScore | None):
    return score.score if score is not None else None
