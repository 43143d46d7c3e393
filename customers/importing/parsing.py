"""Turning spreadsheet text into values, the way Turkish files write them.

Each parser takes the cell text (already stripped, never empty) and returns the value or raises
ValueError with a message for the user.
"""

from __future__ import annotations

import re
import zoneinfo
from datetime import date, datetime, time
from decimal import Decimal

from django.db.models import TextChoices
from django.utils import translation
from django.utils.translation import gettext as _

from crm.decimals import parse_localized_decimal
from customers.turkish import fold

# Cells our own export protected against formula injection start with an apostrophe.
_FORMULA_GUARD = re.compile(r"^'(?=[=+\-@\t\r])")
_DATE = re.compile(
    r"^(?:(?P<d>\d{1,2})[./-](?P<m>\d{1,2})[./-](?P<y>\d{4})"
    r"|(?P<Y>\d{4})-(?P<M>\d{1,2})-(?P<D>\d{1,2}))"
    r"(?:[ T](?P<H>\d{1,2}):(?P<I>\d{2})(?::(?P<S>\d{2}))?)?$"
)

_TRUE = {"1", "yes", "y", "true", "evet", "e", "var", "x", "onay", "onayli", "izinli"}
_FALSE = {"0", "no", "n", "false", "hayir", "h", "yok", "izinsiz", "ret"}


def clean_cell(text: str) -> str:
    text = text.strip()
    return _FORMULA_GUARD.sub("", text) if text[:1] == "'" else text


def parse_decimal(text: str) -> Decimal:
    """'1.234,56', '1234,56', '1,234.56', '1234.56' and '₺1.234,56' are all 1234.56; '1.234'
    (1234 or 1.234?) is refused. The forms read numbers with the same rules (crm.decimals)."""
    return parse_localized_decimal(text)


def _date_parts(text: str) -> re.Match:
    match = _DATE.match(text)
    if match is None:
        raise ValueError(
            _("“%(value)s” is not a date; write dd.mm.yyyy or yyyy-mm-dd.") % {"value": text}
        )
    return match


def _date_of(match: re.Match, text: str) -> date:
    if match["y"]:
        year, month, day = int(match["y"]), int(match["m"]), int(match["d"])
    else:
        year, month, day = int(match["Y"]), int(match["M"]), int(match["D"])
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError(_("“%(value)s” is not a valid date.") % {"value": text}) from None


def parse_date(text: str) -> date:
    match = _date_parts(text)
    # Spreadsheets often write a date cell as "15.03.2024 00:00"; any other time is a mistake.
    if match["H"] and (int(match["H"]), int(match["I"]), int(match["S"] or 0)) != (0, 0, 0):
        raise ValueError(_("“%(value)s”: give a date without a time.") % {"value": text})
    return _date_of(match, text)


def parse_datetime(text: str, zone: zoneinfo.ZoneInfo) -> datetime:
    """A date (midnight) or a date and time, read as local time in the tenant's zone."""
    match = _date_parts(text)
    day = _date_of(match, text)
    try:
        clock = time(int(match["H"] or 0), int(match["I"] or 0), int(match["S"] or 0))
    except ValueError:
        raise ValueError(_("“%(value)s” is not a valid time.") % {"value": text}) from None
    return datetime.combine(day, clock, tzinfo=zone)


def parse_bool(text: str) -> bool:
    key = fold(text)
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise ValueError(_("“%(value)s” is not yes or no (evet / hayır).") % {"value": text})


class Choices:
    """Reads a choice written as its value, its English label or its Turkish label."""

    def __init__(self, choices: type[TextChoices], aliases: dict[str, str] | None = None):
        self.lookup: dict[str, str] = {}
        for value, label in choices.choices:
            self.lookup[fold(value)] = value
            self.lookup[fold(value.replace("_", " "))] = value
            for language in ("en", "tr"):
                with translation.override(language):
                    self.lookup[fold(str(label))] = value
        for alias, value in (aliases or {}).items():
            self.lookup[fold(alias)] = value

    def parse(self, text: str) -> str:
        try:
            return self.lookup[fold(text)]
        except KeyError:
            raise ValueError(
                _("“%(value)s” is not one of the allowed values.") % {"value": text}
            ) from None
