"""Dates written in the user's language, as Django's `date_format` writes them, for pages that
write many (the customer list's last purchase and contact, the timeline).

`date_format` splits its format string with a regular expression on every call and translates
the month name anew (a lazy string): some 125 function calls a date, 11,000 of the customer
list's page. Here the format's pieces are split once per format string and the month and weekday
words once per language.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import cache

from django.utils import formats
from django.utils.dateformat import DateFormat, TimeFormat, re_escaped, re_formatchars
from django.utils.translation import get_language

# Format characters whose text depends only on the month, or only on the weekday.
_BY_MONTH = frozenset("bEFMN")
_BY_WEEKDAY = frozenset("Dl")


@cache
def _pieces(format_string: str) -> tuple[tuple[bool, str], ...]:
    """(is a format character, text) in order, as dateformat.Formatter.format splits them."""
    pieces = []
    for index, piece in enumerate(re_formatchars.split(format_string)):
        if index % 2:
            pieces.append((True, piece))
        elif piece:
            pieces.append((False, re_escaped.sub(r"\1", piece)))
    return tuple(pieces)


@cache
def _word(language: str | None, character: str, number: int) -> str:
    """A month's (1-12) or weekday's (0-6, Monday first) word in `language`, the language in
    force when it is first asked for (the key holds it)."""
    # 1 January 2001 was a Monday.
    sample = date(2001, number, 1) if character in _BY_MONTH else date(2001, 1, 1 + number)
    return str(getattr(DateFormat(sample), character)())


def format_date(value: date | datetime, format_name: str) -> str:
    """django.utils.formats.date_format(value, format_name) for the active language."""
    language = get_language()
    format_string = str(formats.get_format(format_name))
    formatter = DateFormat(value)
    is_date = type(value) is date
    parts = []
    for is_character, piece in _pieces(format_string):
        if not is_character:
            parts.append(piece)
        elif piece in _BY_MONTH:
            parts.append(_word(language, piece, value.month))
        elif piece in _BY_WEEKDAY:
            parts.append(_word(language, piece, value.weekday()))
        else:
            if is_date and hasattr(TimeFormat, piece):
                raise TypeError(
                    "The format for date objects may not contain time-related format "
                    f"specifiers (found '{piece}')."
                )
            parts.append(str(getattr(formatter, piece)()))
    return "".join(parts)
