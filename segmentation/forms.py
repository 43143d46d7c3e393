"""The pin form on the customer page."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from crm.forms import ShortModelChoiceField
from crm.models import Tenant
from customers.models import AcquisitionChannel, CustomerKind, LifecycleStage, ProductCategory
from customers.regions import PROVINCES, REGION_CHOICES
from segmentation.criteria import field_name, segment_criteria
from segmentation.models import (
    ClassSettings,
    CustomerClass,
    Dimension,
    GrowthBand,
    OutsideGroup,
    Segment,
    Tier,
)
from segmentation.segment_selectors import SegmentCriteria, extra_of


class TierPinForm(forms.Form):
    tier = ShortModelChoiceField(label=_("Tier"), queryset=Tier.objects.none())
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Why this customer belongs in this tier whatever the score says."),
    )
    until = forms.DateField(
        label=_("Until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Optional: the pin ends after this day."),
    )

    def __init__(self, *args, tenant: Tenant, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["tier"].queryset = Tier.objects.filter(tenant=tenant).order_by("position")


class CustomerCellForm(forms.Form):
    """The member list's query: a pyramid level and/or one value of each dimension, or a class
    (the links of the dashboard and the vertical breakdown). Bad values are form errors."""

    level = forms.CharField(required=False, max_length=20)
    region = forms.CharField(required=False, max_length=100)
    city = forms.CharField(required=False, max_length=100)
    industry = forms.CharField(required=False, max_length=100)
    acquisition_channel = forms.ChoiceField(
        required=False, choices=[("", ""), *AcquisitionChannel.choices]
    )
    lifecycle_stage = forms.ChoiceField(required=False, choices=[("", ""), *LifecycleStage.choices])
    kind = forms.ChoiceField(required=False, choices=[("", ""), *CustomerKind.choices])
    category = forms.IntegerField(required=False, min_value=1)
    growth_band = forms.ChoiceField(required=False, choices=[("", ""), *GrowthBand.choices])
    customer_class = forms.ChoiceField(required=False, choices=[("", ""), *CustomerClass.choices])
    # "Not given" cells ask for the empty value explicitly: ?blank=region
    blank = forms.MultipleChoiceField(required=False, choices=Dimension.choices)

    def __init__(self, *args, tenant: Tenant, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.tenant = tenant

    def clean_level(self) -> str:
        level = self.cleaned_data["level"]
        if level and not (level.isdigit() or level in OutsideGroup.values):
            raise forms.ValidationError(_("Unknown level of the pyramid."))
        if level.isdigit() and not Tier.objects.filter(tenant=self.tenant, pk=int(level)).exists():
            raise forms.ValidationError(_("Unknown level of the pyramid."))
        return level

    def criteria(self) -> SegmentCriteria:
        data = self.cleaned_data
        values: dict = {}
        level = data.get("level") or ""
        if level.isdigit():
            values["tier_ids"] = (int(level),)
        elif level:
            values["outside_groups"] = (level,)
        blank = set(data.get("blank") or [])
        for name, criterion in (
            ("region", "regions"),
            ("city", "cities"),
            ("industry", "industries"),
            ("acquisition_channel", "acquisition_channels"),
            ("lifecycle_stage", "lifecycle_stages"),
            ("kind", "kinds"),
            ("growth_band", "growth_bands"),
            ("customer_class", "customer_classes"),
        ):
            if data.get(name) or name in blank:
                values[criterion] = (data.get(name) or "",)
        if data.get("category"):
            values["category_ids"] = (data["category"],)
        return SegmentCriteria(**values)


def _multiple(label, choices=(), widget=forms.CheckboxSelectMultiple, help_text=""):
    return forms.MultipleChoiceField(
        label=label, choices=choices, required=False, widget=widget, help_text=help_text
    )


class SegmentForm(forms.ModelForm):
    """The segment builder. `preview=True`: only the criteria matter (the live count)."""

    tiers = forms.ModelMultipleChoiceField(
        label=_("Tiers"),
        queryset=Tier.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    outside_groups = _multiple(_("Outside the pyramid"), OutsideGroup.choices)
    regions = _multiple(_("Regions"), REGION_CHOICES)
    cities = _multiple(
        _("Provinces"), [(name, name) for name in PROVINCES], widget=forms.SelectMultiple
    )
    industries = _multiple(_("Industries"), widget=forms.SelectMultiple)
    acquisition_channels = _multiple(_("Acquisition channels"), AcquisitionChannel.choices)
    lifecycle_stages = _multiple(_("Lifecycle stages"), LifecycleStage.choices)
    kinds = _multiple(_("Customer types"), CustomerKind.choices)
    categories = forms.ModelMultipleChoiceField(
        label=_("Product categories bought in the window"),
        queryset=ProductCategory.objects.none(),
        required=False,
        widget=forms.SelectMultiple,
    )
    growth_bands = _multiple(_("Revenue growth"), GrowthBand.choices)
    customer_classes = _multiple(_("Classes"), CustomerClass.choices)
    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        max_length=500,
        help_text=_("Comma-separated; customers with any of them."),
    )

    class Meta:
        model = Segment
        fields = [
            "name",
            "description",
            "strategy_type",
            "strategy",
            "tiers",
            "outside_groups",
            "regions",
            "cities",
            "industries",
            "acquisition_channels",
            "lifecycle_stages",
            "kinds",
            "categories",
            "growth_bands",
            "customer_classes",
            "last_purchase_after",
            "last_purchase_before",
            "tags",
            "consent_channel",
            "score_min",
            "score_max",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            "strategy": forms.Textarea(attrs={"rows": 3}),
            "last_purchase_after": forms.DateInput(attrs={"type": "date"}),
            "last_purchase_before": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, tenant: Tenant, industries: list[str], preview=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.tenant = tenant
        self.fields["tiers"].queryset = Tier.objects.filter(tenant=tenant).order_by("position")
        self.fields["categories"].queryset = ProductCategory.objects.filter(tenant=tenant)
        known = set(industries) | set(self.instance.industries or [])
        self.fields["industries"].choices = [(name, name) for name in sorted(known) if name]
        if self.instance.pk and not self.is_bound:
            self.initial["tags"] = ", ".join(self.instance.tags)
        self._add_registered_criteria()
        if preview:  # only the criteria count
            for field in self.fields.values():
                field.required = False

    def _add_registered_criteria(self) -> None:
        """Other apps' criteria (segmentation/criteria.py), after segmentation's own."""
        stored = self.instance.extra_criteria or {}
        self.registered_criteria = []
        for criterion in segment_criteria():
            initial = criterion.initial(stored[criterion.key]) if criterion.key in stored else {}
            fields = criterion.fields(tenant=self.tenant)
            self.registered_criteria.append((criterion, list(fields)))
            for name, field in fields.items():
                self.fields[field_name(criterion, name)] = field
                if name in initial and not self.is_bound:
                    self.initial[field_name(criterion, name)] = initial[name]

    def _clean_registered_criteria(self) -> dict:
        """{key: value} of the registered criteria in use; their errors on their fields."""
        values = {}
        for criterion, names in self.registered_criteria:
            if any(field_name(criterion, name) in self.errors for name in names):
                continue
            cleaned = {name: self.cleaned_data.get(field_name(criterion, name)) for name in names}
            try:
                value = criterion.value(cleaned)
            except forms.ValidationError as error:
                if hasattr(error, "error_dict"):
                    for name, messages in error.message_dict.items():
                        self.add_error(field_name(criterion, name), messages)
                else:
                    self.add_error(field_name(criterion, names[0]) if names else None, error)
                continue
            if value is not None:
                values[criterion.key] = value
        return values

    def clean_tags(self) -> list[str]:
        raw = self.cleaned_data.get("tags") or ""
        tags = [tag.strip() for tag in raw.split(",") if tag.strip()]
        if any(len(tag) > 50 for tag in tags):
            raise forms.ValidationError(_("A tag is at most 50 characters long."))
        return tags

    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("score_min"), cleaned.get("score_max")
        if low is not None and high is not None and low > high:
            self.add_error("score_max", _("The upper score must not be below the lower one."))
        after, before = cleaned.get("last_purchase_after"), cleaned.get("last_purchase_before")
        if after and before and after >= before:
            self.add_error(
                "last_purchase_before", _("This date must come after the other purchase date.")
            )
        cleaned["extra_criteria"] = self._clean_registered_criteria()
        return cleaned

    def _post_clean(self):
        # The services save; the model's own validation (unique name) is theirs too.
        pass

    def criteria(self) -> SegmentCriteria:
        data = self.cleaned_data
        return SegmentCriteria(
            tier_ids=tuple(tier.pk for tier in data.get("tiers") or []),
            outside_groups=tuple(data.get("outside_groups") or ()),
            regions=tuple(data.get("regions") or ()),
            cities=tuple(data.get("cities") or ()),
            industries=tuple(data.get("industries") or ()),
            acquisition_channels=tuple(data.get("acquisition_channels") or ()),
            lifecycle_stages=tuple(data.get("lifecycle_stages") or ()),
            kinds=tuple(data.get("kinds") or ()),
            category_ids=tuple(category.pk for category in data.get("categories") or []),
            growth_bands=tuple(data.get("growth_bands") or ()),
            customer_classes=tuple(data.get("customer_classes") or ()),
            tags=tuple(data.get("tags") or ()),
            last_purchase_after=data.get("last_purchase_after"),
            last_purchase_before=data.get("last_purchase_before"),
            consent_channel=data.get("consent_channel") or "",
            score_min=data.get("score_min"),
            score_max=data.get("score_max"),
            extra=extra_of(data.get("extra_criteria")),
        )

    def service_data(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in self.Meta.fields} | {
            "tiers": list(self.cleaned_data.get("tiers") or []),
            "categories": list(self.cleaned_data.get("categories") or []),
            "extra_criteria": self.cleaned_data.get("extra_criteria") or {},
        }


class SnapshotForm(forms.Form):
    note = forms.CharField(
        label=_("Note"),
        max_length=200,
        required=False,
        help_text=_("What the list is for, e.g. the campaign."),
    )


class ClassSettingsForm(forms.ModelForm):
    class Meta:
        model = ClassSettings
        fields = ["peak_tiers", "growth_percent", "contact_days"]
