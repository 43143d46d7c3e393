"""Forms of the core pages: inviting a member, changing a role, confirming a destructive step,
and choosing a password when accepting an invitation without an account."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.forms.models import ModelChoiceIterator
from django.utils.translation import gettext_lazy as _

from crm.models import Role


class ListedChoiceIterator(ModelChoiceIterator):
    """The choices of a short queryset (a company's members, its tiers) read with one plain query.

    Django's iterator() opens a server-side cursor for them: DECLARE, FETCH and CLOSE, three round
    trips for a dozen rows, on pages such as the customer page that every sales rep opens.
    """

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset:
            yield self.choice(obj)


class ShortModelChoiceField(forms.ModelChoiceField):
    """A ModelChoiceField over a short list (see ListedChoiceIterator)."""

    iterator = ListedChoiceIterator


class MemberInviteForm(forms.Form):
    email = forms.EmailField(
        label=_("Email address"),
        help_text=_(
            "We email an invitation to this address. The person joins once they accept it: "
            "with their existing account after signing in, or by choosing a password."
        ),
    )
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.SALES)


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(
        label=_("Role"),
        choices=Role.choices,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )


class ConfirmationForm(forms.Form):
    """A destructive POST goes ahead only with this box ticked."""

    confirm = forms.BooleanField(
        required=True, error_messages={"required": _("Tick the box to confirm.")}
    )

    def __init__(self, *args, label: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["confirm"].label = label


class InvitationAccountForm(forms.Form):
    """A new account for an invited address: a name and a password (Django's validators)."""

    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, email: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self) -> dict:
        cleaned = super().clean()
        password = cleaned.get("password1")
        if password and password != cleaned.get("password2"):
            self.add_error("password2", _("The two passwords differ."))
        elif password:
            # Checked against the account it will be (no password close to the name or email).
            future = get_user_model()(
                username=self.email.lower(),
                email=self.email,
                first_name=cleaned.get("first_name", ""),
                last_name=cleaned.get("last_name", ""),
            )
            try:
                password_validation.validate_password(password, user=future)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned
