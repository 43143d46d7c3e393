"""The filter bar's choice fields share their lists of choices between the copies each list
page makes (customers.filters.SharedChoices, ListChoiceField), and behave as copies."""

from __future__ import annotations

import pytest
from django_scopes import scope

from customers.filters import CustomerFilter
from customers.models import Customer

pytestmark = pytest.mark.django_db


def _filterset(tenant, data):
    return CustomerFilter(data, queryset=Customer.objects.filter(tenant=tenant), tenant=tenant)


def test_two_list_pages_share_the_choices_but_not_the_fields(tenant):
    with scope(tenant=tenant):
        first = _filterset(tenant, {"region": "Ege"}).form
        second = _filterset(tenant, {"region": "zz"}).form
        one, other = first.fields["region"], second.fields["region"]
        assert one is not other
        assert one.choices.choices is other.choices.choices
        # Each copy's choice iterator is its own field's (empty label, validation).
        assert one.choices.field is one and other.choices.field is other
        assert first.is_valid() and first.cleaned_data["region"] == "Ege"
        assert not second.is_valid() and "region" in second.errors
        assert next(iter(one.choices)) == ("", one.empty_label)
        assert list(one.choices) == list(other.choices)


def test_a_changed_empty_label_stays_with_its_copy(tenant):
    with scope(tenant=tenant):
        form = _filterset(tenant, {}).form
        form.fields["kind"].empty_label = "Hepsi"
        again = _filterset(tenant, {}).form
        assert next(iter(form.fields["kind"].choices)) == ("", "Hepsi")
        assert next(iter(again.fields["kind"].choices))[1] != "Hepsi"
