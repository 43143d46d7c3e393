"""Forms of the core pages: adding a member and changing a member's role."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from crm.models import Role


class MemberAddForm(forms.Form):
    email = forms.EmailField(
        label=_("Email address"),
        help_text=_(
            "Someone who already has an account is added as they are; a new address gets an "
            "account and an email with a link to choose a password."
        ),
    )
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.SALES)


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(
        label=_("Role"),
        choices=Role.choices,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
