"""Forms: lead entry and editing, the status quick action, the public lead form, the
customer's preference page, acquisition costs and the report's period."""

from __future__ import annotations

from datetime import date
from typing import Any

from crispy_forms.bootstrap import InlineRadios
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Field, Fieldset, Layout, Row
from django import forms
from django.utils.translation import gettext_lazy as _

from acquisition.models import AcquisitionCost, Lead, LeadSource, LeadStatus
from acquisition.selectors import BOARD_COUNT_LIMIT
from crm.fields import LocalizedDecimalField
from customers.forms import DateInput, MemberChoiceField
from customers.models import (
    CONSENT_FIELD_BY_CHANNEL,
    ConsentChannel,
    Customer,
    CustomerKind,
    Language,
)

CUSTOMER_ENTRY_FIELDS = [
    "kind",
    "first_name",
    "last_name",
    "company_name",
    "email",
    "phone",
    "tax_number",
    "city",
]


def consent_choices(cleaned_data: dict) -> dict[str, bool]:
    """The opt-in per channel ticked on a form with one consent_<channel> box per channel."""
    return {
        channel.value: bool(cleaned_data.get(f"consent_{channel.value}"))
        for channel in ConsentChannel
    }


class _CustomerEntryForm(forms.ModelForm):
    """The customer part of a new lead: the record's own validators (phone, TCKN/VKN)."""

    class Meta:
        model = Customer
        fields = CUSTOMER_ENTRY_FIELDS
        widgets = {"kind": forms.RadioSelect}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        kind = cleaned.get("kind")
        if kind == CustomerKind.COMPANY and not cleaned.get("company_name"):
            self.add_error("company_name", _("A company needs a company name."))
        if (
            kind == CustomerKind.PERSON
            and not cleaned.get("first_name")
            and not cleaned.get("last_name")
        ):
            self.add_error("first_name", _("Give a first or last name."))
        return cleaned

    def validate_unique(self) -> None:
        # Duplicates are a warning (see the views), not a uniqueness error.
        pass

    def customer_fields(self) -> dict[str, Any]:
        return {
            name: self.cleaned_data[name] for name in CUSTOMER_ENTRY_FIELDS if name in self.fields
        }


class CampaignChoiceField(forms.ModelChoiceField):
    """One of the company's acquisition campaigns (the queryset the view gives)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs["queryset"] = None  # the company's campaigns, set by the form
        kwargs.setdefault("label", _("Campaign"))
        kwargs.setdefault("required", False)
        kwargs["empty_label"] = _("No campaign")
        super().__init__(**kwargs)


SOURCE_DETAIL_HELP = _("Which fair, referrer, advert or list, in your team's words.")


class LeadCreateForm(_CustomerEntryForm):
    source = forms.ChoiceField(label=_("Source"), choices=LeadSource.choices)
    campaign = CampaignChoiceField()
    source_detail = forms.CharField(
        label=_("Source detail"), max_length=100, required=False, help_text=SOURCE_DETAIL_HELP
    )
    owner = MemberChoiceField(label=_("Owner"), queryset=None, required=False)
    next_step = forms.CharField(label=_("Next step"), max_length=200, required=False)
    next_step_due = forms.DateField(label=_("Due"), required=False, widget=DateInput())
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    save_duplicate = forms.BooleanField(
        label=_("Save anyway: this is a different person or company"), required=False
    )

    def __init__(
        self, *args: Any, members, campaigns, show_duplicate_choice: bool = False, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = members
        self.fields["campaign"].queryset = campaigns
        self.fields["owner"].empty_label = _("Nobody yet")
        if not show_duplicate_choice:
            del self.fields["save_duplicate"]
        self.helper = FormHelper()
        self.helper.form_tag = False
        layout = [
            Fieldset(
                _("Who"),
                InlineRadios("kind"),
                Row(Column("first_name"), Column("last_name")),
                "company_name",
                Row(Column("email"), Column("phone")),
                Row(Column("tax_number"), Column("city")),
            ),
            Fieldset(
                _("Pipeline"),
                Row(Column("source"), Column("campaign"), Column("source_detail")),
                Row(
                    Column("owner"),
                    Column("next_step", css_class="col-md-6"),
                    Column("next_step_due"),
                ),
                "notes",
            ),
        ]
        if show_duplicate_choice:
            layout.append(Field("save_duplicate"))
        self.helper.layout = Layout(*layout)

    def lead_fields(self) -> dict[str, Any]:
        return {
            name: self.cleaned_data[name]
            for name in (
                "source", "campaign", "source_detail", "owner", "next_step", "next_step_due",
                "notes",
            )
        }  # fmt: skip


class LeadForm(forms.ModelForm):
    class Meta:
        model = Lead
        fields = [
            "source", "campaign", "source_detail", "owner", "next_step", "next_step_due", "notes"
        ]  # fmt: skip
        field_classes = {"owner": MemberChoiceField, "campaign": CampaignChoiceField}
        widgets = {"next_step_due": DateInput(), "notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, members, campaigns, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = members
        self.fields["owner"].empty_label = _("Nobody yet")
        # The company's acquisition campaigns, and the lead's own even if it no longer is one.
        if self.instance.campaign_id is not None:
            campaigns = campaigns | campaigns.model.objects.filter(
                tenant_id=self.instance.tenant_id, pk=self.instance.campaign_id
            )
        self.fields["campaign"].queryset = campaigns
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Row(Column("source"), Column("campaign"), Column("source_detail")),
            Row(
                Column("owner"), Column("next_step", css_class="col-md-6"), Column("next_step_due")
            ),
            "notes",
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("next_step_due") and not (cleaned.get("next_step") or "").strip():
            self.add_error("next_step", _("Say what the next step is when you give it a due date."))
        return cleaned

    def service_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class LeadStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=LeadStatus.choices)
    reason = forms.CharField(label=_("Reason for losing"), max_length=500, required=False)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("status") == LeadStatus.LOST and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", _("Say why the lead was lost."))
        return cleaned


class BoardPageForm(forms.Form):
    """A "show more" of one board column: which column, and how many cards it shows already."""

    column = forms.ChoiceField(choices=LeadStatus.choices)
    offset = forms.IntegerField(min_value=0, max_value=BOARD_COUNT_LIMIT)


class LeadImportForm(forms.Form):
    file = forms.FileField(label=_("CSV file"))
    campaign = CampaignChoiceField(help_text=_("For rows without a campaign of their own."))
    source_detail = forms.CharField(
        label=_("Source detail"),
        max_length=100,
        required=False,
        help_text=_("For rows without one of their own, e.g. the trade fair's name."),
    )

    def __init__(self, *args: Any, campaigns, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = campaigns
        self.helper = FormHelper()
        self.helper.form_tag = False


# --- public pages ----------------------------------------------------------------------------

CONSENT_LABELS = {
    ConsentChannel.EMAIL: _("Yes, I would like to receive news and offers by email."),
    ConsentChannel.SMS: _("Yes, I would like to receive news and offers by SMS."),
    ConsentChannel.PHONE: _("Yes, you may call me about news and offers."),
}


class LeadCaptureForm(_CustomerEntryForm):
    """The public lead form. `website` is a honeypot: hidden from people, filled by bots."""

    message = forms.CharField(
        label=_("Your message"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )
    privacy_notice = forms.BooleanField(
        label=_("I have read the privacy notice above (KVKK)."),
        error_messages={"required": _("Please confirm that you have read the privacy notice.")},
    )

    class Meta(_CustomerEntryForm.Meta):
        fields = ["kind", "first_name", "last_name", "company_name", "email", "phone"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for channel in ConsentChannel:
            self.fields[f"consent_{channel.value}"] = forms.BooleanField(
                label=CONSENT_LABELS[channel], required=False
            )
        self.fields["kind"].initial = CustomerKind.PERSON
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            InlineRadios("kind"),
            Row(Column("first_name"), Column("last_name")),
            "company_name",
            Row(Column("email"), Column("phone")),
            "message",
            Field("website", wrapper_class="visually-hidden", aria_hidden="true"),
            "privacy_notice",
            *[f"consent_{channel.value}" for channel in ConsentChannel],
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if not cleaned.get("email") and not cleaned.get("phone"):
            self.add_error("email", _("Give an email address or a phone number."))
        return cleaned

    @property
    def is_spam(self) -> bool:
        return bool(self.data.get("website", "").strip())

    def consents(self) -> dict[str, bool]:
        return consent_choices(self.cleaned_data)


class PreferencesForm(forms.Form):
    preferred_language = forms.ChoiceField(label=_("Language"), choices=Language.choices)

    def __init__(self, *args: Any, customer: Customer, **kwargs: Any) -> None:
        initial = {"preferred_language": customer.preferred_language}
        for channel, field in CONSENT_FIELD_BY_CHANNEL.items():
            initial[f"consent_{channel}"] = getattr(customer, field)
        super().__init__(*args, initial=initial, **kwargs)
        for channel in ConsentChannel:
            self.fields[f"consent_{channel.value}"] = forms.BooleanField(
                label=CONSENT_LABELS[channel], required=False
            )
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Fieldset(_("Messages"), *[f"consent_{channel.value}" for channel in ConsentChannel]),
            Fieldset(_("Language"), "preferred_language"),
        )

    def consents(self) -> dict[str, bool]:
        return consent_choices(self.cleaned_data)


# --- costs and the report ----------------------------------------------------------------------


class MonthInput(forms.DateInput):
    input_type = "month"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m", **kwargs)


class MonthField(forms.DateField):
    """A month as "2026-11" (the browser's month picker) or a date; always its first day."""

    widget = MonthInput
    input_formats = ["%Y-%m", "%Y-%m-%d", "%m.%Y", "%d.%m.%Y"]

    def to_python(self, value: Any) -> date | None:
        result = super().to_python(value)
        return result.replace(day=1) if result else None


class AcquisitionCostForm(forms.ModelForm):
    month = MonthField(label=_("Month"))

    class Meta:
        model = AcquisitionCost
        fields = ["month", "channel", "campaign", "amount", "note"]
        field_classes = {"amount": LocalizedDecimalField, "campaign": CampaignChoiceField}

    def __init__(self, *args: Any, campaigns, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = campaigns
        self.fields["campaign"].help_text = _(
            "Leave empty for the channel's cost outside any campaign. What a campaign's "
            "messages cost is counted from the campaign itself: enter only other costs here."
        )
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Row(Column("month"), Column("channel"), Column("campaign")),
            Row(Column("amount"), Column("note", css_class="col-md-8")),
        )

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        if amount is not None and amount < 0:
            raise forms.ValidationError(_("A cost cannot be negative."))
        return amount

    def validate_unique(self) -> None:
        # Entering a month's cost again replaces it (the service), so no uniqueness error.
        pass

    def service_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class ReportPeriodForm(forms.Form):
    start = MonthField(label=_("Acquired from"))
    end = MonthField(label=_("to"))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("start") and cleaned.get("end") and cleaned["start"] > cleaned["end"]:
            self.add_error("end", _("The end is before the start."))
        return cleaned
