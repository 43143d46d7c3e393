"""Forms of the campaign screens: the campaign itself, the call outcome, the contact rules and
the do-not-contact entry."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from campaigns.models import (
    COST_FIELD_BY_CHANNEL,
    Campaign,
    Channel,
    ContactRules,
)
from crm.fields import LocalizedDecimalField
from crm.models import Membership
from customers.forms import DateTimeInput, MemberChoiceField
from customers.models import InteractionOutcome, Product, ProductCategory
from loyalty.models import CouponBatch
from segmentation.models import Segment, Tier


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%H:%M", **kwargs)


MONEY_FIELDS = ("budget", *COST_FIELD_BY_CHANNEL.values(), "trigger_amount")


class CampaignForm(forms.ModelForm):
    # Declared here because the scoped manager cannot be queried at import; __init__ sets the
    # tenant's querysets.
    audience_tier = forms.ModelChoiceField(
        label=_("Tier"), queryset=Tier._base_manager.none(), required=False
    )
    segment = forms.ModelChoiceField(
        label=_("Segment"), queryset=Segment._base_manager.none(), required=False
    )
    audience_product = forms.ModelChoiceField(
        label=_("Next best product"),
        queryset=Product._base_manager.none(),
        required=False,
        help_text=_(
            "Cross-sell: the customers who have not bought it and for whom it is among the "
            "three products their purchases suggest most (co-purchase rules, nightly)."
        ),
    )
    audience_category = forms.ModelChoiceField(
        label=_("Next best category"),
        queryset=ProductCategory._base_manager.none(),
        required=False,
    )
    coupon_batch = forms.ModelChoiceField(
        label=_("Coupon"),
        queryset=CouponBatch._base_manager.none(),
        required=False,
        help_text=_("Each customer reached by email or SMS gets their own code on these terms."),
    )
    owner = MemberChoiceField(
        label=_("Owner"), queryset=get_user_model()._base_manager.none(), required=False
    )
    offer_url = forms.URLField(
        label=_("Offer link"),
        required=False,
        assume_scheme="https",
        help_text=_("Where the link in the message leads; clicks are counted."),
    )
    channels = forms.TypedMultipleChoiceField(
        label=_("Channels"),
        choices=Channel.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Each customer gets the offer once, on the first of these channels they can be "
            "reached on (in this order: email, SMS, call list, direct mail)."
        ),
    )

    class Meta:
        model = Campaign
        fields = [
            "name",
            "objective",
            "audience_kind",
            "segment",
            "audience_tier",
            "audience_stage",
            "audience_product",
            "audience_category",
            "trigger",
            "trigger_days",
            "trigger_amount",
            "trigger_channel",
            "channels",
            "cost_email",
            "cost_sms",
            "cost_call",
            "cost_mail",
            "budget",
            "control_percent",
            "subject_tr",
            "body_tr",
            "subject_en",
            "body_en",
            "offer_url",
            "coupon_batch",
            "bonus_points",
            "starts_at",
            "ends_at",
            "send_from",
            "send_until",
            "attribution_days",
            "owner",
        ]
        field_classes = {name: LocalizedDecimalField for name in MONEY_FIELDS}
        widgets = {
            "starts_at": DateTimeInput(),
            "ends_at": DateTimeInput(),
            "send_from": TimeInput(),
            "send_until": TimeInput(),
            "body_tr": forms.Textarea(attrs={"rows": 4}),
            "body_en": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "body_tr": _("“{name}” is replaced by the customer's name."),
            "trigger": _(
                "With a trigger, the offer goes to each customer the event happens to, once "
                "per occurrence, while the campaign runs; the audience above is not used."
            ),
        }

    def __init__(self, *args: Any, tenant, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["audience_tier"].queryset = Tier.objects.filter(tenant=tenant).order_by(
            "position"
        )
        self.fields["coupon_batch"].queryset = CouponBatch.objects.filter(tenant=tenant)
        self.fields["segment"].queryset = Segment.objects.filter(tenant=tenant).order_by("name")
        self.fields["audience_product"].queryset = Product.objects.filter(
            tenant=tenant, is_active=True
        ).order_by("name")
        self.fields["audience_category"].queryset = ProductCategory.objects.filter(
            tenant=tenant
        ).order_by("name")
        members = Membership.objects.filter(tenant=tenant).values_list("user_id", flat=True)
        self.fields["owner"].queryset = get_user_model().objects.filter(pk__in=members)

    def clean_channels(self) -> list[str]:
        chosen = self.cleaned_data["channels"]
        # Keep the documented order of preference.
        return [channel for channel in Channel.values if channel in chosen]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("The campaign must end after it starts."))
        start, until = data.get("send_from"), data.get("send_until")
        if start and until and until <= start:
            self.add_error("send_until", _("The send window must end after it begins."))
        return data

    def service_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class CallLogForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=InteractionOutcome.choices)
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ContactRulesForm(forms.ModelForm):
    class Meta:
        model = ContactRules
        fields = ["max_contacts", "period_days"]


class SuppressionForm(forms.Form):
    reason = forms.CharField(
        label=_("Why"),
        max_length=255,
        help_text=_("E.g. “asked on the phone not to be contacted again”."),
    )
