"""What segmentation adds to the customer list (customers/list_extensions.py): the tier badge and
the score as columns, a tier filter and the sort by score. Registered in apps.py."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import F, QuerySet
from django.utils.translation import gettext_lazy as _

from crm.models import Tenant
from segmentation.models import CustomerScore, Tier


def scores_by_customer(*, tenant: Tenant, customer_ids: list[int]) -> dict[int, CustomerScore]:
    """The page's scores with their tiers: one query (primary-key lookups)."""
    scores = CustomerScore.objects.filter(
        tenant=tenant, customer_id__in=customer_ids
    ).select_related("tier")
    return {score.customer_id: score for score in scores}


def tier_filter(*, tenant: Tenant) -> django_filters.MultipleChoiceFilter:
    """Customers in any of the chosen tiers ("Platin and Altın")."""
    choices = [(str(tier.pk), tier.name) for tier in Tier.objects.filter(tenant=tenant)]
    return django_filters.MultipleChoiceFilter(
        field_name="tier",
        label=_("Tier"),
        choices=choices,
        method=_filter_by_tier,
        widget=forms.CheckboxSelectMultiple,
    )


def _filter_by_tier(queryset: QuerySet, name: str, value: list[str]) -> QuerySet:
    if not value:
        return queryset
    return queryset.filter(score__tier_id__in=[int(tier_id) for tier_id in value])


def by_score(queryset: QuerySet, *, tenant: Tenant) -> QuerySet:
    """Highest score first; customers without a score (prospects, inactive) last.

    CustomerScore has no index on score on purpose (the nightly update stays HOT, see its
    Meta), so this sorts the filtered customers' scores: measured in bench_customer_screens.
    """
    return queryset.order_by(F("score__score").desc(nulls_last=True), "id")


def by_score_ascending(queryset: QuerySet, *, tenant: Tenant) -> QuerySet:
    return queryset.order_by(F("score__score").asc(nulls_last=True), "id")
