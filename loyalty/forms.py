"""Forms of the loyalty screens: adjusting points, applying a coupon, confirming a redemption."""

from __future__ import annotations

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from crm.fields import LocalizedDecimalField


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
