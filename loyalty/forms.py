"""Forms of the loyalty screens: adjusting points, applying a coupon, confirming a redemption,
and the programme's settings (terms, tier multipliers, bonus rules)."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django import forms
from django.core.validators import MinValueValidator
from django.utils.translation import gettext_lazy as _

from crm.fields import LocalizedDecimalField
from crm.models import Tenant
from customers.models import ProductCategory
from loyalty.models import BonusRule, Programme, TierMultiplier
from loyalty.services.programme import BONUS_RULE_FIELDS, PROGRAMME_FIELDS, TierTerms
from segmentation.models import Tier


class ConfirmForm(forms.Form):
    """A one-time token: a double submit of the same confirmation is recognised."""

    request_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("request_key", uuid.uuid4().hex)


class AdjustForm(ConfirmForm):
    points = forms.IntegerField(
        label=_("Points"),
        help_text=_("Positive to add, negative to take away."),
        min_value=-1_000_000,
        max_value=1_000_000,
    )
    reason = forms.CharField(label=_("Reason"), max_length=255)


class CouponForm(forms.Form):
    code = forms.CharField(label=_("Coupon code"), max_length=30)
    spend = LocalizedDecimalField(
        label=_("Purchase amount"), max_digits=12, decimal_places=2, min_value=0
    )


class ProgrammeForm(forms.ModelForm):
    """The programme's terms, on the settings page; decimals typed the user's way."""

    class Meta:
        model = Programme
        fields = list(PROGRAMME_FIELDS)
        field_classes = {
            "points_per_unit": LocalizedDecimalField,
            "point_value": LocalizedDecimalField,
        }
        widgets = {"starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def clean(self) -> dict:
        cleaned = super().clean()
        window, months = cleaned.get("return_window_days"), cleaned.get("expiry_months")
        # The database refuses it too (loyalty_return_window_before_expiry); say why here.
        if window is not None and months and window >= months * 28:
            self.add_error(
                "return_window_days",
                _(
                    "The return window must end before points can expire: shorter than "
                    "%(days)d days with an expiry of %(months)d months."
                )
                % {"days": months * 28, "months": months},
            )
        return cleaned


class TierTermsForm(forms.Form):
    """Every tier's multiplier and benefits: two fields per tier of the company."""

    def __init__(self, *args, tiers: list[Tier], current: dict[int, TierMultiplier], **kwargs):
        super().__init__(*args, **kwargs)
        self.tiers = tiers
        for tier in tiers:
            row = current.get(tier.pk)
            self.fields[f"multiplier_{tier.pk}"] = LocalizedDecimalField(
                label=_("%(tier)s: points multiplier") % {"tier": tier},
                max_digits=5,
                decimal_places=2,
                min_value=Decimal("0.01"),
                initial=row.multiplier if row else Decimal("1"),
                help_text=_("1 = the base points; 2 = twice as many."),
            )
            self.fields[f"benefits_{tier.pk}"] = forms.CharField(
                label=_("%(tier)s: benefits") % {"tier": tier},
                required=False,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 2}),
                initial=row.benefits if row else "",
            )

    def terms(self) -> dict[int, TierTerms]:
        return {
            tier.pk: TierTerms(
                multiplier=self.cleaned_data[f"multiplier_{tier.pk}"],
                benefits=self.cleaned_data[f"benefits_{tier.pk}"].strip(),
            )
            for tier in self.tiers
        }


class BonusRuleForm(forms.ModelForm):
    # Declared here: the model field's default queryset would be queried outside a scope.
    category = forms.ModelChoiceField(
        label=_("product category"),
        queryset=ProductCategory.objects.none(),
        required=False,
        help_text=_("Empty: every category."),
    )

    class Meta:
        model = BonusRule
        fields = list(BONUS_RULE_FIELDS)
        field_classes = {"multiplier": LocalizedDecimalField}
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "ends_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        help_texts = {
            "multiplier": _(
                "The purchase's points are multiplied by this; a purchase matching several "
                "rules gets the largest."
            ),
            "channel": _("Empty: every channel."),
        }

    def __init__(self, *args, tenant: Tenant, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = ProductCategory.objects.filter(tenant=tenant).order_by(
            "name"
        )
        self.fields["multiplier"].min_value = Decimal("0.01")
        self.fields["multiplier"].validators.append(MinValueValidator(Decimal("0.01")))

    def clean(self) -> dict:
        cleaned = super().clean()
        starts_on, ends_on = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", _("The last day cannot be before the first."))
        return cleaned

    def values(self) -> dict:
        return {field: self.cleaned_data[field] for field in BONUS_RULE_FIELDS}
