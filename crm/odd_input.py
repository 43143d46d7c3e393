"""Refusing odd request input early, in one place, before any view parses it.

A query parameter holding a NUL byte, a number of more than 18 digits, or more than
CRM_MAX_PARAMETER_LENGTH characters gets 400 Bad Request: PostgreSQL cannot store NUL in text,
Python refuses int() past 4,300 digits, a bigint ends at 19 digits, and no filter, search or
link of the product is that long. A url-encoded form with a NUL byte gets the same answer
(long texts and numbers there are the forms' to judge, with a message on the field).
Multipart bodies, the CSV uploads, are left to the import's own checks: reading them here
would bypass its upload size limit. Views then parse only plausible values; their forms still
say what is wrong with a plausible but invalid one.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils.translation import gettext as _

_HUGE_NUMBER = re.compile(r"[+-]?0*[0-9]{19,}")


def odd_value_problem(value: str, *, in_query: bool = True) -> str | None:
    """Why `value` is refused, or None when it is plausible."""
    if "\x00" in value:
        return _("The request contains a NUL character.")
    if not in_query:
        return None
    if len(value) > settings.CRM_MAX_PARAMETER_LENGTH:
        return _("A value of the request is too long.")
    if _HUGE_NUMBER.fullmatch(value.strip()):
        return _("A number of the request is too large.")
    return None


def _pairs(data: QueryDict) -> Iterable[str]:
    for name, values in data.lists():
        yield name
        yield from values


class OddInputMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        sources = [(request.GET, True)]
        if request.content_type == "application/x-www-form-urlencoded":
            sources.append((request.POST, False))
        for source, in_query in sources:
            for text in _pairs(source):
                if problem := odd_value_problem(text, in_query=in_query):
                    raise BadRequest(problem)
        return self.get_response(request)
