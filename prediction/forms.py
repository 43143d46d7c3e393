"""Forms: a decision on a flagged customer, a back-test's cut-off, the review's rule filter."""

from __future__ import annotations

from datetime import date, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from prediction.models import DecisionAction, FlagRule


class DecisionForm(forms.Form):
    action = forms.ChoiceField(label=_("Action"), choices=DecisionAction.choices)
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Recorded with the decision; for ending the relationship, on the customer."),
    )
    confirm = forms.BooleanField(
        label=_("I understand that ending the relationship marks the customer terminated."),
        required=False,
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("action") == DecisionAction.TERMINATE and not cleaned.get("confirm"):
            self.add_error("confirm", _("Confirm to end the relationship."))
        return cleaned


class ReviewFilterForm(forms.Form):
    rule = forms.ChoiceField(
        label=_("Rule"), choices=[("", _("All flags")), *FlagRule.choices], required=False
    )


class BackTestForm(forms.Form):
    cutoff = forms.DateField(
        label=_("Cut-off date"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The models learn from purchases up to this date."),
    )
    holdout_days = forms.IntegerField(
        label=_("Holdout (days)"),
        min_value=7,
        max_value=730,
        initial=182,
        help_text=_("Predictions are compared with the purchases of this many days after it."),
    )

    def __init__(self, *args, tenant, **kwargs):
        super().__init__(*args, **kwargs)
        self.today: date = timezone.now().astimezone(tenant.zone).date()

    def clean(self):
        cleaned = super().clean()
        cutoff, days = cleaned.get("cutoff"), cleaned.get("holdout_days")
        if cutoff and days and (cutoff + timedelta(days=days)) > self.today:
            self.add_error(
                "holdout_days", _("The holdout must end by today: choose an earlier cut-off.")
            )
        return cleaned
