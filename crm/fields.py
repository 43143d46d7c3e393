"""Form fields shared by every app: the one field for money and other decimals.

`LocalizedDecimalField` is a text input (`inputmode="decimal"`: phones show a number pad with
the decimal mark) read on the server by crm.decimals.parse_localized_decimal in the user's
language. A browser's `<input type=number>` is not used: in tr-TR and en-US alike it drops the
comma of "1250,50" and sends 125050.

In a ModelForm: `Meta.field_classes = {"amount": LocalizedDecimalField}` (max_digits and
decimal_places come from the model field). In a plain form: `LocalizedDecimalField(
max_digits=12, decimal_places=2, min_value=0)`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import get_language

from crm.decimals import (
    AmbiguousDecimalError,
    DecimalParseError,
    format_for_input,
    parse_localized_decimal,
)


class DecimalInput(forms.TextInput):
    """A text input for numbers: the decimal keypad on phones, the value shown the way the
    user's language writes it (1250,50 in Turkish)."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({"inputmode": "decimal", "autocomplete": "off", **(attrs or {})})

    def format_value(self, value: Any) -> str | None:
        if value is None or value == "":
            return None
        return str(format_for_input(value, language=get_language()))


class LocalizedDecimalField(forms.DecimalField):
    """A decimal typed in the user's language; ambiguous text (1.250) is refused, not guessed."""

    widget = DecimalInput

    def to_python(self, value: Any) -> Decimal | None:
        if value in self.empty_values:
            return None
        if isinstance(value, Decimal):
            return value
        if isinstance(value, int | float):
            return Decimal(str(value))
        try:
            return parse_localized_decimal(str(value), language=get_language())
        except AmbiguousDecimalError as error:
            raise ValidationError(str(error), code="ambiguous") from None
        except DecimalParseError as error:
            raise ValidationError(str(error), code="invalid") from None

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        # DecimalField adds step/min/max for <input type=number> only; nothing to add for text.
        return forms.Field.widget_attrs(self, widget)
