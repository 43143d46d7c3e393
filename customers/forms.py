"""Forms of the sales staff's screens: the customer form and the customer page's quick actions
(log a contact, record a sale, open feedback, record consent), and the feedback workflow."""

from __future__ import annotations

from typing import Any

from babel import Locale, UnknownLocaleError
from crispy_forms.bootstrap import InlineRadios
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Div, Fieldset, Layout, Row
from django import forms
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from crm.fields import LocalizedDecimalField
from crm.forms import ShortModelChoiceField
from customers.models import (
    ConsentChannel,
    ConsentSource,
    Customer,
    CustomerKind,
    Feedback,
    FeedbackKind,
    FeedbackStatus,
    Interaction,
    InteractionOutcome,
    LifecycleStage,
    Product,
    ProductCategory,
    Transaction,
)
from customers.services import CUSTOMER_FIELDS

PROVINCE_DATALIST_ID = "province-list"


def country_choices() -> list[tuple[str, str]]:
    """ISO country codes named in the user's language (Babel's CLDR data), Turkey first."""
    try:
        locale = Locale.parse((get_language() or "tr").replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        locale = Locale.parse("en")
    names = {
        code: name
        for code, name in locale.territories.items()
        if len(code) == 2 and code.isalpha() and code not in {"ZZ", "EU", "EZ", "UN", "QO"}
    }
    turkey = ("TR", names.pop("TR", "Türkiye"))
    return [turkey, *sorted(names.items(), key=lambda item: item[1])]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class CustomerPickerSelect(forms.Select):
    """A select that only renders the chosen customer: with a million customers the options
    come from a search (htmx, customers:picker) instead of the page."""

    picker_template_name = "customers/widgets/customer_picker.html"  # wraps the select

    def __init__(self, *, picker_url: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.picker_url = picker_url

    def optgroups(self, name, value, attrs=None):
        selected = {str(v) for v in value if v not in (None, "")}
        groups = []
        for index, (option_value, label) in enumerate(self.choices):
            key = str(getattr(option_value, "value", option_value))
            if key == "" or key in selected:
                option = self.create_option(name, option_value, label, key in selected, index)
                groups.append((None, [option], index))
        return groups

    def render(self, name, value, attrs=None, renderer=None):
        # The select itself renders as usual; the search box around it comes from the project's
        # templates/ folder, which is not on the default form renderer's path.
        select = super().render(name, value, attrs, renderer)
        context = {"select": select, "picker_url": self.picker_url, "select_id": attrs["id"]}
        return mark_safe(render_to_string(self.picker_template_name, context))


DJANGO_EMPTY_LABEL = "---------"


class ChooseInsteadOfDashes:
    """Empty choices say "Choose…" ("Seçin…"), not Django's "---------"."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.ModelChoiceField):
                if field.empty_label == DJANGO_EMPTY_LABEL:
                    field.empty_label = _("Choose…")
            elif isinstance(field, forms.ChoiceField):
                choices = list(field.choices)
                if choices and choices[0] == ("", DJANGO_EMPTY_LABEL):
                    field.choices = [("", _("Choose…")), *choices[1:]]


class TenantCustomerChoiceField(forms.ModelChoiceField):
    """A customer of the tenant; the queryset (set by the form) never holds another tenant's."""

    def label_from_instance(self, obj: Customer) -> str:
        return f"{obj.display_name} · {obj.city}" if obj.city else obj.display_name


class MemberChoiceField(ShortModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.get_full_name() or obj.get_username()


class CustomerForm(ChooseInsteadOfDashes, forms.ModelForm):
    """Create and edit a customer. Pass tenant=, members= (the tenant's users), picker_url= and
    duplicate_check_url=."""

    country = forms.ChoiceField(label=_("Country"), initial="TR")
    # Declared here because the scoped manager cannot be queried at import; __init__ sets the
    # tenant's queryset.
    referred_by = TenantCustomerChoiceField(
        label=_("Referred by"), queryset=Customer._base_manager.none(), required=False
    )
    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        help_text=_("Separate tags with commas, e.g. vip, wholesale."),
    )

    class Meta:
        model = Customer
        # What the service accepts; tags are the comma-separated text field declared above.
        fields = sorted(CUSTOMER_FIELDS - {"tags"})
        field_classes = {"owner": MemberChoiceField}
        widgets = {
            "kind": forms.RadioSelect,
            "acquired_on": DateInput(),
            "birthday": DateInput(),
            "address": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 3}),
            "termination_reason": forms.Textarea(attrs={"rows": 2}),
            "city": forms.TextInput(attrs={"list": PROVINCE_DATALIST_ID, "autocomplete": "off"}),
        }

    def __init__(
        self,
        *args: Any,
        tenant,
        members,
        picker_url: str = "",
        duplicate_check_url: str = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.tenant = tenant
        self.fields["country"].choices = country_choices()
        referred = Customer.objects.filter(tenant=tenant)
        if self.instance.pk:
            referred = referred.exclude(pk=self.instance.pk)
        self.fields["referred_by"].queryset = referred
        self.fields["referred_by"].widget = CustomerPickerSelect(picker_url=picker_url)
        self.fields["owner"].queryset = members
        self.fields["owner"].empty_label = _("Nobody yet")
        if self.instance.pk:
            self.initial["tags"] = ", ".join(self.instance.tags)
        for name in ("email", "phone", "tax_number"):
            # Look for another customer with the same value while the user types (a warning).
            self.fields[name].widget.attrs.update(
                {
                    "hx-get": duplicate_check_url,
                    "hx-trigger": "change",
                    "hx-target": "#duplicate-warning",
                    "hx-include": "[name=email],[name=phone],[name=tax_number]",
                }
            )
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Fieldset(
                _("Who"),
                InlineRadios("kind"),
                Row(Column("first_name"), Column("last_name")),
                "company_name",
                Row(Column("tax_number"), Column("industry")),
            ),
            Fieldset(
                _("Contact"),
                Row(Column("email"), Column("phone")),
                "address",
                Row(Column("city"), Column("country")),
                Row(Column("preferred_channel"), Column("preferred_language")),
                "birthday",
            ),
            Fieldset(
                _("Sales"),
                Row(Column("owner"), Column("lifecycle_stage")),
                Div("termination_reason", css_id="termination-reason"),
                Row(Column("acquisition_channel"), Column("acquired_on")),
                "referred_by",
                Row(Column("tags"), Column("external_id")),
                "notes",
            ),
        )

    def clean_tags(self) -> list[str]:
        raw = self.cleaned_data.get("tags") or ""
        return sorted({tag.strip() for tag in raw.split(",") if tag.strip()})

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
        if (
            cleaned.get("lifecycle_stage") == LifecycleStage.TERMINATED
            and not (cleaned.get("termination_reason") or "").strip()
        ):
            self.add_error("termination_reason", _("Give a reason when you terminate a customer."))
        external_id = (cleaned.get("external_id") or "").strip()
        if external_id:
            taken = Customer.objects.filter(tenant=self.tenant, external_id=external_id)
            if self.instance.pk:
                taken = taken.exclude(pk=self.instance.pk)
            if taken.exists():
                self.add_error("external_id", _("Another customer already has this external id."))
        return cleaned

    def validate_unique(self) -> None:
        # Per-tenant uniqueness is checked in clean() with the tenant; the instance has none yet.
        pass

    def service_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in CUSTOMER_FIELDS}


class InteractionForm(ChooseInsteadOfDashes, forms.ModelForm):
    """Log a contact; "follow-up needed" asks by when (and who, the user by default). Pass
    members= (the tenant's users) for the follow-up's owner."""

    class Meta:
        model = Interaction
        fields = [
            "channel",
            "direction",
            "occurred_at",
            "subject",
            "outcome",
            "notes",
            "follow_up_on",
            "follow_up_owner",
        ]
        field_classes = {"follow_up_owner": MemberChoiceField}
        widgets = {
            "occurred_at": DateTimeInput(),
            "notes": forms.Textarea(attrs={"rows": 2}),
            "follow_up_on": DateInput(),
        }

    def __init__(self, *args: Any, members=None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["occurred_at"].initial = timezone.localtime().replace(second=0, microsecond=0)
        self.fields["follow_up_owner"].queryset = (
            members if members is not None else self.fields["follow_up_owner"].queryset.none()
        )
        self.fields["follow_up_owner"].empty_label = _("Me")
        self.helper = _inline_helper()
        self.helper.layout = Layout(
            Row(Column("channel"), Column("direction"), Column("occurred_at")),
            Row(Column("subject", css_class="col-md-8"), Column("outcome")),
            Row(Column("follow_up_on"), Column("follow_up_owner")),
            "notes",
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("outcome") == InteractionOutcome.FOLLOW_UP and not cleaned.get(
            "follow_up_on"
        ):
            self.add_error("follow_up_on", _("Give the follow-up a date."))
        return cleaned


class TransactionForm(ChooseInsteadOfDashes, forms.ModelForm):
    """Record a sale. Catalogue choices are the tenant's own."""

    product = forms.ModelChoiceField(
        label=_("Product"), queryset=Product._base_manager.none(), required=False
    )
    category = forms.ModelChoiceField(
        label=_("Product category"), queryset=ProductCategory._base_manager.none(), required=False
    )

    class Meta:
        model = Transaction
        fields = [
            "occurred_at",
            "product",
            "category",
            "amount",
            "cost",
            "currency",
            "quantity",
            "channel",
            "status",
            "due_date",
            "paid_date",
        ]
        # Text inputs read in the user's language: <input type=number> turned 1250,50 into 125050.
        field_classes = {
            "amount": LocalizedDecimalField,
            "cost": LocalizedDecimalField,
            "quantity": LocalizedDecimalField,
        }
        widgets = {
            "occurred_at": DateTimeInput(),
            "due_date": DateInput(),
            "paid_date": DateInput(),
        }

    def __init__(self, *args: Any, tenant, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["occurred_at"].initial = timezone.localtime().replace(second=0, microsecond=0)
        self.fields["product"].queryset = Product.objects.filter(
            tenant=tenant, is_active=True
        ).select_related("category")
        self.fields["category"].queryset = ProductCategory.objects.filter(tenant=tenant)
        self.fields["category"].help_text = _("Taken from the product when you choose one.")
        self.helper = _inline_helper()
        self.helper.layout = Layout(
            Row(Column("occurred_at"), Column("channel")),
            Row(Column("product"), Column("category")),
            Row(Column("amount"), Column("cost"), Column("currency"), Column("quantity")),
            Row(Column("status"), Column("due_date"), Column("paid_date")),
        )

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        if amount is not None and amount < 0:
            raise forms.ValidationError(_("The amount cannot be negative."))
        return amount

    def clean_cost(self):
        cost = self.cleaned_data.get("cost")
        if cost is not None and cost < 0:
            raise forms.ValidationError(_("The cost cannot be negative."))
        return cost

    def clean_currency(self) -> str:
        currency = (self.cleaned_data.get("currency") or "TRY").strip().upper()
        if len(currency) != 3 or not currency.isalpha():
            raise forms.ValidationError(_("Use a three-letter currency code such as TRY."))
        return currency

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        due, paid = cleaned.get("due_date"), cleaned.get("paid_date")
        if paid and not due:
            self.add_error("due_date", _("Give the due date too, so late payment can be seen."))
        return cleaned


class FeedbackForm(ChooseInsteadOfDashes, forms.ModelForm):
    class Meta:
        model = Feedback
        fields = ["kind", "nps_score", "satisfaction_score", "text", "assignee"]
        field_classes = {"assignee": MemberChoiceField}
        widgets = {"text": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, members, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = members
        self.fields["assignee"].empty_label = _("Nobody yet")
        self.fields["kind"].initial = FeedbackKind.COMPLAINT
        self.helper = _inline_helper()
        self.helper.layout = Layout(
            Row(Column("kind"), Column("assignee")),
            Row(Column("nps_score"), Column("satisfaction_score")),
            "text",
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        text = (cleaned.get("text") or "").strip()
        if cleaned.get("kind") == FeedbackKind.COMPLAINT and not text:
            self.add_error("text", _("Describe the complaint."))
        return cleaned


class ConsentForm(ChooseInsteadOfDashes, forms.Form):
    channel = forms.ChoiceField(label=_("Channel"), choices=ConsentChannel.choices)
    granted = forms.TypedChoiceField(
        label=_("Consent"),
        choices=[("1", _("Given")), ("0", _("Withdrawn"))],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
        initial="1",
    )
    source = forms.ChoiceField(label=_("How"), choices=ConsentSource.choices)
    recorded_at = forms.DateTimeField(label=_("When"), widget=DateTimeInput())
    note = forms.CharField(label=_("Note"), max_length=255, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["recorded_at"].initial = timezone.localtime().replace(second=0, microsecond=0)
        self.helper = _inline_helper()
        self.helper.layout = Layout(
            Row(Column("channel"), Column(InlineRadios("granted"))),
            Row(Column("source"), Column("recorded_at")),
            "note",
        )

    def clean_recorded_at(self):
        recorded_at = self.cleaned_data["recorded_at"]
        if recorded_at > timezone.now():
            raise forms.ValidationError(_("Consent cannot be recorded in the future."))
        return recorded_at


class FeedbackUpdateForm(ChooseInsteadOfDashes, forms.Form):
    """Assign feedback or change its status (resolving has its own form)."""

    status = forms.ChoiceField(
        label=_("Status"),
        choices=[
            (FeedbackStatus.OPEN, FeedbackStatus.OPEN.label),
            (FeedbackStatus.IN_PROGRESS, FeedbackStatus.IN_PROGRESS.label),
        ],
    )
    assignee = MemberChoiceField(label=_("Assigned to"), queryset=None, required=False)

    def __init__(self, *args: Any, members, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = members
        self.fields["assignee"].empty_label = _("Nobody")
        self.helper = _inline_helper()


class FeedbackResolveForm(ChooseInsteadOfDashes, forms.Form):
    resolution = forms.CharField(
        label=_("Resolution"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What was done for the customer."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _inline_helper()

    def clean_resolution(self) -> str:
        resolution = self.cleaned_data["resolution"].strip()
        if not resolution:
            raise forms.ValidationError(_("Say how the feedback was resolved."))
        return resolution


def _inline_helper() -> FormHelper:
    """Quick-action forms render their own <form> tag (htmx attributes) and buttons."""
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    return helper
