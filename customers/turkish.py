"""Turkish-correct search folding and sort keys, in Python and as immutable SQL expressions.

The embedded PostgreSQL has no ICU and no tr_TR locale, so neither collations nor lower() know
that "I" lowers to "ı" and "İ" to "i". We do it ourselves, the same way in Python and SQL:

* folding (for search): Turkish letters fold to their ASCII base, case-insensitively, so
  "istanbul", "İSTANBUL" and "ıstanbul" all match "İstanbul", and "sisli" matches "Şişli";
* sort key (for ordering): each letter maps to a code point in Turkish alphabetical order
  (a b c ç d e f g ğ h ı i j k l m n o ö p q r s ş t u ü v w x y z), compared bytewise.
"""

from __future__ import annotations

from django.db.models import CharField, Func, TextField

# Upper-case Turkish letters first, so lower() of what remains only has ASCII left to do.
_UPPER = "ABCÇDEFGĞHIİJKLMNOÖPQRSŞTUÜVWXYZÂÎÛ"
_LOWER = "abcçdefgğhıijklmnoöpqrsştuüvwxyzâîû"
TURKISH_ALPHABET = "abcçdefgğhıijklmnoöpqrsştuüvwxyz"
# 32 consecutive code points after the digits, in the alphabet's order.
_SORT_CODES = "ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`"
_FOLD_FROM = "çğıöşüâîû"
_FOLD_TO = "cgiosuaiu"

_to_lower = str.maketrans(_UPPER, _LOWER)
_fold = str.maketrans(_FOLD_FROM, _FOLD_TO)
_sort = str.maketrans(TURKISH_ALPHABET + "âîû", _SORT_CODES + "AMW")


def turkish_lower(text: str) -> str:
    return text.translate(_to_lower)


def fold(text: str) -> str:
    """Search form of `text`: Turkish-lowered, then stripped of Turkish diacritics."""
    return turkish_lower(text).translate(_fold)


def sort_key(text: str) -> str:
    return turkish_lower(text).translate(_sort)


def _sql_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


class TurkishLower(Func):
    """translate() the Turkish capitals, then lower() the ASCII rest: immutable SQL."""

    template = f"lower(translate(%(expressions)s, {_sql_literal(_UPPER)}, {_sql_literal(_LOWER)}))"
    output_field = TextField()


class TurkishFold(Func):
    template = f"translate(%(expressions)s, {_sql_literal(_FOLD_FROM)}, {_sql_literal(_FOLD_TO)})"
    output_field = TextField()

    def __init__(self, expression, **extra):
        super().__init__(TurkishLower(expression), **extra)


class TurkishSortKey(Func):
    template = (
        f"(translate(%(expressions)s, {_sql_literal(TURKISH_ALPHABET + 'âîû')}, "
        f'{_sql_literal(_SORT_CODES + "AMW")}) COLLATE "C")'
    )
    output_field = CharField()

    def __init__(self, expression, **extra):
        super().__init__(TurkishLower(expression), **extra)


class SimpleTsVector(Func):
    """to_tsvector with the 'simple' configuration spelled as a constant, so it is immutable."""

    template = "to_tsvector('simple'::regconfig, %(expressions)s)"
    output_field = TextField()
