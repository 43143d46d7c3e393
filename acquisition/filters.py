"""The lead list's filters (django-filter)."""

from __future__ import annotations

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from acquisition.models import Lead, LeadSource, LeadStatus


class DateInput(forms.DateInput):
    input_type = "date"


class LeadFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    status = django_filters.MultipleChoiceFilter(
        label=_("Status"),
        choices=LeadStatus.choices,
        widget=forms.CheckboxSelectMultiple,
        distinct=False,  # one row per lead already; DISTINCT would sort every match
    )
    source = django_filters.ChoiceFilter(label=_("Source"), choices=LeadSource.choices)
    owner = django_filters.ModelChoiceFilter(
        label=_("Owner"), queryset=get_user_model().objects.none()
    )
    campaign = django_filters.ModelChoiceFilter(
        label=_("Campaign"), queryset=None, empty_label=_("Any campaign")
    )
    created_from = django_filters.DateFilter(
        label=_("Created from"), field_name="created_at", lookup_expr="date__gte", widget=DateInput
    )
    created_to = django_filters.DateFilter(
        label=_("Created to"), field_name="created_at", lookup_expr="date__lte", widget=DateInput
    )
    due_by = django_filters.DateFilter(
        label=_("Next step due by"),
        field_name="next_step_due",
        lookup_expr="lte",
        widget=DateInput,
    )

    class Meta:
        model = Lead
        fields: list[str] = []

    def __init__(self, *args, tenant, members, campaigns, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.tenant = tenant
        self.filters["owner"].queryset = members
        self.filters["campaign"].queryset = campaigns

    def search(self, queryset, name, value):
        """Name, email, phone or tax number of the lead's customer, or the lead's source
        detail (the customers' folded search index would be faster at scale; leads are a
        small share of customers)."""
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(customer__display_name__icontains=value)
            | Q(customer__email__icontains=value)
            | Q(customer__phone__icontains=value)
            | Q(customer__tax_number=value)
            | Q(source_detail__icontains=value)
        )
