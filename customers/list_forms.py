"""Forms of the customer list's actions: a bulk change to the selected customers, and saving the
current filters as a view."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from customers.forms import MemberChoiceField


class CustomerIdsField(forms.Field):
    """The ticked rows: customer ids, whole numbers only."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[int]:
        values = value if isinstance(value, list | tuple) else ([value] if value else [])
        try:
            return [int(item) for item in values]
        except (TypeError, ValueError) as exc:
            raise forms.ValidationError(_("The selection is not valid.")) from exc


class BulkActionForm(forms.Form):
    OWNER = "owner"
    TAG = "tag"

    action = forms.ChoiceField(
        label=_("With the selected customers"),
        choices=[("", _("Choose…")), (OWNER, _("Assign owner")), (TAG, _("Add tag"))],
    )
    customers = CustomerIdsField(required=False)
    owner = MemberChoiceField(label=_("Owner"), queryset=None, required=False)
    tag = forms.CharField(label=_("Tag"), max_length=50, required=False)

    def __init__(
        self, *args: Any, members, tenant=None, registered: Sequence[Any] = (), **kwargs: Any
    ) -> None:
        """`registered`: the bulk actions other apps registered (list_extensions) that the
        user's role may use; each adds an action choice and a select named by its key."""
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = members
        self.fields["owner"].empty_label = _("Nobody")
        self.registered = {action.key: action for action in registered}
        self.fields["action"].choices = [
            *self.fields["action"].choices,
            *((action.key, action.label) for action in registered),
        ]
        for action in registered:
            self.fields[action.key] = forms.ChoiceField(
                label=action.field_label,
                choices=[("", _("Choose…")), *action.choices(tenant=tenant)],
                required=False,
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        action = cleaned.get("action")
        if action == self.TAG and not (cleaned.get("tag") or "").strip():
            self.add_error("tag", _("Write the tag to add."))
        if action in self.registered and not cleaned.get(action):
            self.add_error(
                action,
                _("Choose the “%(field)s”.") % {"field": self.registered[action].field_label},
            )
        return cleaned


class SavedViewForm(forms.Form):
    name = forms.CharField(label=_("Name of the view"), max_length=80)
    query = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)
