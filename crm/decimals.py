"""Reading and writing decimal numbers and money the way people type them, in one place.

Every money and decimal input of the product (forms: crm.fields.LocalizedDecimalField; the CSV
importer: customers.importing.parsing) reads text with `parse_localized_decimal`, and every
amount shown back goes through `format_money` / `format_decimal` (templates: the `money` filter
of `{% load money %}`).

The readings (the same in Turkish and English, because the users of one company mix them: a
Turkish rep types 1250,50, a spreadsheet exported by a program writes 1250.50):

- no separator: 1250 → 1250;
- both a comma and a dot: the last one is the decimal mark, the other groups thousands in threes:
  1.250,50 and 1,250.50 → 1250.50;
- one separator, several times: thousands groups, 1.250.000 → 1250000;
- one separator once, not followed by exactly three digits: the decimal mark, 1250,50 and
  1250.50 → 1250.50, 0,5 → 0.5;
- one separator once, followed by exactly three digits after one to three digits (1.250,
  1,250): it could be a thousands separator (1250) or a decimal mark (1.25) — refused with an
  error that names both readings, never guessed.

Spaces (also no-break spaces), "₺", "TL" and "TRY" around the number are ignored; a leading
minus is kept (the caller refuses negatives where they make no sense). The language decides how
numbers are written back to the user and in the error messages.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from functools import cache

from babel.numbers import format_decimal as babel_format_decimal
from babel.numbers import (
    get_currency_symbol,
    get_decimal_symbol,
    get_group_symbol,
    get_minus_sign_symbol,
)
from django.utils import translation
from django.utils.translation import gettext as _

DEFAULT_LANGUAGE = "tr"
# The common case of files and forms, read without the rules below.
_PLAIN = re.compile(r"^-?\d+(?:\.\d{1,2})?$")
_NOISE = re.compile(r"[\s\u00a0\u202f₺]|TL$|TRY$", re.IGNORECASE)
_BODY = re.compile(r"^[\d.,]*\d[\d.,]*$")
_MINUS = "-\u2212"  # ASCII hyphen-minus and the typographic minus sign


class DecimalParseError(ValueError):
    """The text is not a number; the message (already translated) tells the user why."""


class AmbiguousDecimalError(DecimalParseError):
    """The text reads as two different numbers (1.250: 1250 or 1.25)."""


def _locale(language: str | None) -> str:
    code = (language or translation.get_language() or DEFAULT_LANGUAGE).split("-")[0].lower()
    return code if code in {"tr", "en"} else DEFAULT_LANGUAGE


def _not_a_number(text: str) -> DecimalParseError:
    return DecimalParseError(_("“%(value)s” is not a number.") % {"value": text})


def _grouped(digits: str, separator: str) -> str | None:
    """'1.250.000' with separator '.' → '1250000'; None unless the groups are 1–3 then threes."""
    groups = digits.split(separator)
    head, tail = groups[0], groups[1:]
    if not (1 <= len(head) <= 3 and head.isdigit()) or not all(
        len(group) == 3 and group.isdigit() for group in tail
    ):
        return None
    return "".join(groups)


def parse_localized_decimal(text: str, *, language: str | None = None) -> Decimal:
    """The number the text means (see the module docstring); raises DecimalParseError, or its
    subclass AmbiguousDecimalError, with a message in `language` (default: the active one)."""
    text = text.strip()
    if _PLAIN.match(text):
        return Decimal(text)
    value = _NOISE.sub("", text)
    negative = value[:1] in _MINUS
    if negative or value[:1] == "+":
        value = value[1:]
    if not _BODY.match(value):
        raise _not_a_number(text)
    commas, dots = value.count(","), value.count(".")
    if commas and dots:
        mark = "," if value.rfind(",") > value.rfind(".") else "."
        group = "." if mark == "," else ","
        if value.count(mark) != 1:
            raise _not_a_number(text)
        whole, fraction = value.split(mark)
        whole = _grouped(whole, group)
        if whole is None or not fraction.isdigit():
            raise _not_a_number(text)
        number = f"{whole}.{fraction}"
    elif commas + dots > 1:
        separator = "," if commas else "."
        number = _grouped(value, separator)
        if number is None:
            raise _not_a_number(text)
    elif commas + dots == 1:
        separator = "," if commas else "."
        whole, fraction = value.split(separator)
        if len(fraction) == 3 and 1 <= len(whole) <= 3 and whole[0] != "0":
            raise _ambiguous(text, whole=whole, fraction=fraction, language=language)
        number = f"{whole or '0'}.{fraction or '0'}"
    else:
        number = value
    try:
        result = Decimal(number)
    except InvalidOperation:  # pragma: no cover - the checks above leave only digits and a dot
        raise _not_a_number(text) from None
    return -result if negative else result


def _ambiguous(text: str, *, whole: str, fraction: str, language: str | None) -> Exception:
    locale = _locale(language)
    with translation.override(locale):
        return AmbiguousDecimalError(
            _(
                "“%(value)s” can be read two ways, as %(thousands)s or as %(fraction)s: type the "
                "one you mean without a thousands separator."
            )
            % {
                "value": text,
                "thousands": whole + fraction,
                "fraction": format_for_input(Decimal(f"{whole}.{fraction}").normalize()),
            }
        )


def format_decimal(
    value: Decimal | int | float | None,
    *,
    places: int = 2,
    grouping: bool = True,
    language: str | None = None,
) -> str:
    """1250.5 → '1.250,50' (Turkish) or '1,250.50' (English); '' for None."""
    if value is None or value == "":
        return ""
    number = Decimal(str(value))
    locale = _locale(language)
    if not number.is_finite():
        pattern = ("#,##0" if grouping else "0") + ("." + "0" * places if places else "")
        return babel_format_decimal(
            number, format=pattern, locale=locale, decimal_quantization=True
        )
    # What babel's format_decimal(number, format="#,##0.00", decimal_quantization=True) does
    # (NumberPattern.apply), without parsing the pattern and reading the locale's data on every
    # call (some 100 function calls an amount): normalise, round half to even, group the whole
    # part by threes; the sign is the original value's.
    group, decimal_mark, minus = _number_symbols(locale)
    rounded = abs(number).normalize().quantize(Decimal(10) ** -places)
    whole, _point, fraction = f"{rounded:f}".partition(".")
    if grouping:
        groups = []
        while len(whole) > 3:
            groups.insert(0, whole[-3:])
            whole = whole[:-3]
        whole = group.join([whole, *groups])
    text = whole + (decimal_mark + fraction.ljust(places, "0") if places else "")
    return minus + text if number.is_signed() else text


@cache
def _number_symbols(locale: str) -> tuple[str, str, str]:
    """The locale's group separator, decimal mark and minus sign, as babel writes them."""
    return get_group_symbol(locale), get_decimal_symbol(locale), get_minus_sign_symbol(locale)


def format_money(
    value: Decimal | int | float | None,
    *,
    currency: str = "TRY",
    language: str | None = None,
) -> str:
    """1250.5 → '1.250,50 ₺' (Turkish), '1,250.50 ₺' (English), '1.250,50 €' for EUR.

    The symbol follows the amount in both languages, as Turkish writes it; the lira is always ₺.
    """
    if value is None or value == "":
        return ""
    currency = (currency or "TRY").upper()
    locale = _locale(language)
    symbol = get_currency_symbol(currency, "tr" if currency == "TRY" else locale)
    return f"{format_decimal(value, language=locale)}\u00a0{symbol}"


def format_for_input(value: Decimal | int | float | str | None, *, language: str | None = None):
    """A number as the user would type it back: no grouping, the language's decimal mark,
    trailing zeros of the stored value kept (1250.50 → '1250,50' in Turkish)."""
    if value is None or value == "":
        return value
    if isinstance(value, str):  # a bound form shows what the user typed
        return value
    text = format(Decimal(str(value)), "f")
    return text.replace(".", get_decimal_symbol(_locale(language)))
