"""What prediction adds to the segment builder (segmentation/criteria.py): purchase propensity
at least x, P(alive) and predicted value within a range, and "the next best product (or
category) is X". Registered in PredictionConfig.ready; segmentation never imports this app.

Each reads the live predictions through the customer's reverse one-to-one `prediction`, so a
customer without one (never bought, or the company has not enough data to predict) matches
none of these criteria. Percentages are typed as percent (40 = 40 %) and stored as fractions.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import Q
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm.fields import LocalizedDecimalField
from customers.models import Product, ProductCategory
from prediction.models import PredictionSettings
from prediction.selectors import next_best_q
from segmentation.criteria import SegmentCriterion, register_segment_criterion

HUNDRED = Decimal(100)


def _percent_field(label) -> LocalizedDecimalField:
    return LocalizedDecimalField(
        label=label,
        required=False,
        max_digits=5,
        decimal_places=2,
        min_value=0,
        max_value=100,
        help_text=gettext_lazy("In percent, 0 to 100."),
    )


def _money_field(label) -> LocalizedDecimalField:
    return LocalizedDecimalField(
        label=label, required=False, max_digits=14, decimal_places=2, min_value=0
    )


def _fraction(percent: Decimal | None) -> str | None:
    return None if percent is None else str(percent / HUNDRED)


def _percent(fraction: str | None) -> Decimal | None:
    return None if fraction is None else (Decimal(fraction) * HUNDRED).normalize()


def _shown_percent(fraction: str) -> str:
    return _("%(number)s %%") % {"number": number_format(_percent(fraction))}


def _range_value(cleaned: Mapping[str, Any], *, as_fraction: bool) -> dict[str, str] | None:
    low, high = cleaned.get("min"), cleaned.get("max")
    if low is None and high is None:
        return None
    if low is not None and high is not None and low > high:
        raise forms.ValidationError({"max": _("The upper bound must not be below the lower one.")})
    convert = _fraction if as_fraction else (lambda number: None if number is None else str(number))
    return {
        name: convert(number)
        for name, number in (("min", low), ("max", high))
        if number is not None
    }


def _range_q(column: str, value: Mapping[str, str]) -> Q:
    q = Q()
    if "min" in value:
        q &= Q(**{f"prediction__{column}__gte": Decimal(value["min"])})
    if "max" in value:
        q &= Q(**{f"prediction__{column}__lte": Decimal(value["max"])})
    return q


def _range_sentence(label: str, value: Mapping[str, str], shown) -> str:
    if "min" in value and "max" in value:
        return _("%(what)s from %(low)s to %(high)s") % {
            "what": label,
            "low": shown(value["min"]),
            "high": shown(value["max"]),
        }
    if "min" in value:
        return _("%(what)s at least %(low)s") % {"what": label, "low": shown(value["min"])}
    return _("%(what)s at most %(high)s") % {"what": label, "high": shown(value["max"])}


def _propensity_days(*, tenant) -> int:
    """The company's propensity window (one query; the default before any settings exist)."""
    days = (
        PredictionSettings.objects.with_scopes_disabled()
        .filter(tenant=tenant)
        .values_list("propensity_days", flat=True)
        .first()
    )
    return days or PredictionSettings._meta.get_field("propensity_days").default


def _propensity_fields(*, tenant) -> dict[str, forms.Field]:
    label = _("Probability of buying within %(days)s days at least (%%)") % {
        "days": _propensity_days(tenant=tenant)
    }
    return {"min": _percent_field(label)}


def _propensity_describe(*, tenant, value) -> str:
    what = _("Probability of buying within %(days)s days") % {
        "days": _propensity_days(tenant=tenant)
    }
    return _range_sentence(what, value, _shown_percent)


def _p_alive_describe(*, tenant, value) -> str:
    return _range_sentence(_("Probability still a customer"), value, _shown_percent)


def _value_describe(*, tenant, value) -> str:
    def shown(amount: str) -> str:
        return f"{number_format(Decimal(amount), 2, force_grouping=True)} {tenant.currency}"

    return _range_sentence(_("Predicted value"), value, shown)


def _next_best_fields(*, tenant) -> dict[str, forms.Field]:
    return {
        "product": forms.ModelChoiceField(
            label=gettext_lazy("Next best product is"),
            queryset=Product.objects.filter(tenant=tenant).order_by("name", "id"),
            required=False,
            help_text=gettext_lazy(
                "Customers with this product among the three suggested to them (they have "
                "not bought it; customers like them have)."
            ),
        ),
        "category": forms.ModelChoiceField(
            label=gettext_lazy("Next best product category is"),
            queryset=ProductCategory.objects.filter(tenant=tenant).order_by("name", "id"),
            required=False,
        ),
    }


def _next_best_value(cleaned: Mapping[str, Any]) -> dict[str, int] | None:
    value = {
        name: cleaned[name].pk for name in ("product", "category") if cleaned.get(name) is not None
    }
    return value or None


def _next_best_describe(*, tenant, value) -> str:
    sentences = []
    if "product" in value:
        name = (
            Product.objects.with_scopes_disabled()
            .filter(tenant=tenant, pk=value["product"])
            .values_list("name", flat=True)
            .first()
        )
        sentences.append(
            _("Next best product is %(name)s") % {"name": name or _("a deleted product")}
        )
    if "category" in value:
        name = (
            ProductCategory.objects.with_scopes_disabled()
            .filter(tenant=tenant, pk=value["category"])
            .values_list("name", flat=True)
            .first()
        )
        sentences.append(
            _("Next best product category is %(name)s") % {"name": name or _("a deleted category")}
        )
    return "; ".join(sentences)


def register_prediction_segment_criteria() -> None:
    register_segment_criterion(
        SegmentCriterion(
            key="propensity",
            label=gettext_lazy("Purchase propensity"),
            fields=_propensity_fields,
            value=lambda cleaned: _range_value(cleaned, as_fraction=True),
            initial=lambda value: {"min": _percent(value.get("min"))},
            q=lambda *, tenant, value: _range_q("propensity", value),
            describe=_propensity_describe,
            order=10,
        )
    )
    register_segment_criterion(
        SegmentCriterion(
            key="p_alive",
            label=gettext_lazy("Probability still a customer"),
            fields=lambda *, tenant: {
                "min": _percent_field(gettext_lazy("Probability still a customer from (%)")),
                "max": _percent_field(gettext_lazy("Probability still a customer up to (%)")),
            },
            value=lambda cleaned: _range_value(cleaned, as_fraction=True),
            initial=lambda value: {
                "min": _percent(value.get("min")),
                "max": _percent(value.get("max")),
            },
            q=lambda *, tenant, value: _range_q("p_alive", value),
            describe=_p_alive_describe,
            order=11,
        )
    )
    register_segment_criterion(
        SegmentCriterion(
            key="predicted_value",
            label=gettext_lazy("Predicted value"),
            fields=lambda *, tenant: {
                "min": _money_field(gettext_lazy("Predicted value from")),
                "max": _money_field(gettext_lazy("Predicted value up to")),
            },
            value=lambda cleaned: _range_value(cleaned, as_fraction=False),
            initial=lambda value: {
                "min": None if value.get("min") is None else Decimal(value["min"]),
                "max": None if value.get("max") is None else Decimal(value["max"]),
            },
            q=lambda *, tenant, value: _range_q("predicted_value", value),
            describe=_value_describe,
            order=12,
        )
    )
    register_segment_criterion(
        SegmentCriterion(
            key="next_best",
            label=gettext_lazy("Next best product"),
            fields=_next_best_fields,
            value=_next_best_value,
            initial=lambda value: dict(value),
            q=lambda *, tenant, value: next_best_q(
                product_id=value.get("product"), category_id=value.get("category")
            ),
            describe=_next_best_describe,
            order=13,
        )
    )
