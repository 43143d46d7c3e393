"""Forms of the loyalty screens: adjusting points, applying a coupon, confirming a redemption,
and the programme's settings (terms, tier multipliers, bonus rules, rewards, coupon batches,
cashback rules)."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django import forms
from django.core.validators import MinValueValidator
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from crm.fields import LocalizedDecimalField
from crm.models import Tenant
from customers.models import ProductCategory
from loyalty.models import (
    BonusRule,
    CashbackRule,
    CouponBatch,
    DiscountType,
    Programme,
    Reward,
    TierMultiplier,
)
from loyalty.services.cashback import CASHBACK_RULE_FIELDS
from loyalty.services.coupons import MAX_BATCH
from loyalty.services.programme import BONUS_RULE_FIELDS, PROGRAMME_FIELDS, TierTerms
from loyalty.services.rewards import REWARD_FIELDS
from segmentation.models import Segment, Tier


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


class RewardForm(forms.ModelForm):
    # Declared here: the model field's default queryset would be queried outside a scope.
    tiers = forms.ModelMultipleChoiceField(
        label=_("tiers allowed"),
        queryset=Tier.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every tier."),
    )

    class Meta:
        model = Reward
        fields = list(REWARD_FIELDS)
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "ends_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, tenant: Tenant, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tiers"].queryset = Tier.objects.filter(tenant=tenant).order_by("position")
        self.fields["points_cost"].min_value = 1
        if self.instance.pk:
            self.initial["tiers"] = list(self.instance.tiers.values_list("pk", flat=True))
        # After the fields: the form's field order follows the model's, tiers last.
        self.order_fields([*REWARD_FIELDS[:-1], "tiers", "is_active"])

    def clean(self) -> dict:
        cleaned = super().clean()
        starts_on, ends_on = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", _("The last day cannot be before the first."))
        return cleaned

    def values(self) -> dict:
        return {
            **{field: self.cleaned_data[field] for field in REWARD_FIELDS},
            "tiers": list(self.cleaned_data["tiers"]),
        }


class CouponBatchForm(forms.Form):
    """A batch of scratch cards: N codes with the same terms, for anyone or one segment."""

    name = forms.CharField(label=_("name"), max_length=120)
    size = forms.IntegerField(
        label=_("number of codes"),
        min_value=1,
        max_value=MAX_BATCH,
    )
    discount_type = forms.ChoiceField(label=_("discount"), choices=DiscountType.choices)
    value = LocalizedDecimalField(
        label=_("value"),
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0.01"),
        help_text=_("An amount in the company's currency, or a percentage up to 100."),
    )
    min_spend = LocalizedDecimalField(
        label=_("minimum spend"),
        max_digits=12,
        decimal_places=2,
        min_value=0,
        initial=Decimal("0"),
    )
    valid_until = forms.DateField(
        label=_("valid until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    max_uses = forms.IntegerField(
        label=_("uses per code"), min_value=1, max_value=1_000_000, initial=1
    )
    segment = forms.ModelChoiceField(
        label=_("only for segment"),
        queryset=Segment.objects.none(),
        required=False,
        help_text=_("Empty: anyone can use the codes."),
    )

    def __init__(self, *args, tenant: Tenant, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["segment"].queryset = Segment.objects.filter(tenant=tenant).order_by("name")
        self.fields["size"].help_text = _("Up to %(max)s codes in one batch.") % {
            "max": number_format(MAX_BATCH, force_grouping=True)
        }

    def clean(self) -> dict:
        cleaned = super().clean()
        value = cleaned.get("value")
        if cleaned.get("discount_type") == DiscountType.PERCENT and value and value > 100:
            self.add_error("value", _("A percentage is at most 100."))
        return cleaned


class CouponCodeFilterForm(forms.Form):
    """The batch page's filter: used or not, and the start of a code."""

    USED_CHOICES = [("", _("All codes")), ("yes", _("Used")), ("no", _("Not used"))]

    used = forms.ChoiceField(label=_("Used"), choices=USED_CHOICES, required=False)
    code = forms.CharField(label=_("Code starts with"), max_length=30, required=False)

    def used_value(self) -> bool | None:
        if not self.is_valid():
            return None
        return {"yes": True, "no": False}.get(self.cleaned_data["used"])

    def code_value(self) -> str:
        return self.cleaned_data.get("code", "") if self.is_valid() else ""


class CashbackRuleForm(forms.ModelForm):
    # Declared here: the model field's default queryset would be queried outside a scope.
    coupon_batch = forms.ModelChoiceField(
        label=_("coupon like"),
        queryset=CouponBatch.objects.none(),
        required=False,
        help_text=_("Issue each qualifying customer a coupon with this batch's terms."),
    )

    class Meta:
        model = CashbackRule
        fields = list(CASHBACK_RULE_FIELDS)
        field_classes = {"threshold": LocalizedDecimalField}
        help_texts = {
            "threshold": _(
                "Customers who spend at least this much in a month or quarter get the cashback "
                "once, after the period ends."
            ),
            "points": _("0: no points, only the coupon."),
        }

    def __init__(self, *args, tenant: Tenant, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["coupon_batch"].queryset = CouponBatch.objects.filter(tenant=tenant).order_by(
            "-created_at", "-id"
        )
        self.fields["threshold"].min_value = Decimal("0.01")
        self.fields["threshold"].validators.append(MinValueValidator(Decimal("0.01")))

    def clean(self) -> dict:
        cleaned = super().clean()
        if not cleaned.get("points") and not cleaned.get("coupon_batch"):
            self.add_error("points", _("Credit points, issue a coupon, or both."))
        return cleaned

    def values(self) -> dict:
        return {field: self.cleaned_data[field] for field in CASHBACK_RULE_FIELDS}
