"""Turkish-correct customer search: the typed text becomes a prefix tsquery over the generated
`search_vector` column (to_tsvector('simple', folded text), GIN-indexed).

Both sides are folded with customers.turkish.fold, so "istanbul" finds "İstanbul", "sisli" finds
"Şişli" and "IŞIK" finds "ışık". A query that looks like a phone number also matches the
E.164 (+90...) and national (0...) forms stored in the vector.
"""

from __future__ import annotations

import re

from django.contrib.postgres.search import SearchQuery
from django.db.models import BooleanField, Func

from customers.turkish import fold

# Characters with a meaning in tsquery syntax; they become separators, never operators.
_TSQUERY_SYNTAX = re.compile(r"[&|!():*'\\<>\"\s,;]+")
_PHONE_LIKE = re.compile(r"^\+?[\d\s().-]{4,}$")
_MAX_TOKENS = 8


def _phone_alternatives(text: str) -> list[str]:
    digits = re.sub(r"\D", "", text)
    if digits.startswith("90") and len(digits) > 4:
        national = digits[2:]
    elif digits.startswith("0"):
        national = digits[1:]
    else:
        national = digits
    # The vector holds "+905321234567" and "05321234567"; tax numbers and ids are bare digits.
    return sorted({digits, "0" + national, "+90" + national})


def _quoted_prefix(token: str) -> str:
    return "'" + token + "':*"


def search_tokens(text: str) -> list[str]:
    """The folded words of a query, stripped of tsquery syntax (at most a handful)."""
    tokens = []
    for token in _TSQUERY_SYNTAX.split(fold(text or "")):
        if "@" in token and "." not in token.split("@", 1)[1]:
            # A half-typed email: the part before "@" is a prefix of the whole email token.
            token = token.split("@", 1)[0]
        token = token.strip(".-/@")
        if token:
            tokens.append(token)
    return tokens[:_MAX_TOKENS]


def phone_digits(text: str) -> int:
    """How many digits a phone-looking query has (0 when it does not look like a phone)."""
    text = (text or "").strip()
    digits = sum(ch.isdigit() for ch in text)
    return digits if _PHONE_LIKE.match(text) and digits >= 4 else 0


def customer_search_tsquery(text: str) -> str:
    """The raw tsquery text for `text` ("" when there is nothing to search for)."""
    text = (text or "").strip()
    if phone_digits(text):
        return " | ".join(_quoted_prefix(alt) for alt in _phone_alternatives(text))
    return " & ".join(_quoted_prefix(token) for token in search_tokens(text))


def customer_search_query(text: str) -> SearchQuery | None:
    tsquery = customer_search_tsquery(text)
    if not tsquery:
        return None
    return SearchQuery(tsquery, search_type="raw", config="simple")


def words_query(tokens: list[str]) -> SearchQuery:
    """All of `tokens` (search_tokens' folded words), each as a prefix."""
    return SearchQuery(
        " & ".join(_quoted_prefix(token) for token in tokens), search_type="raw", config="simple"
    )


class VectorMatches(Func):
    """`search_vector @@ query` written as the function behind the operator: the same test, which
    no index serves (the planner matches operators, not function calls, to indexes). It tests
    rows another condition found, where reading the index for it would cost more."""

    function = "ts_match_vq"
    output_field = BooleanField()
