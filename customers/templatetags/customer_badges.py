"""`{% load customer_badges %}`: the lifecycle and consent badges, written in Python because the
customer list draws them on each of its 25 rows (customers/list_cells.py says why).

{% lifecycle_badge customer %}   the stage as a coloured badge
{% consent_badges customer %}    email, SMS and call consent: a mark and a word, never colour alone
"""

from __future__ import annotations

from functools import lru_cache

from django import template
from django.utils.safestring import SafeString
from django.utils.translation import get_language, gettext

from crm.html import format_html, format_html_join
from customers.models import LifecycleStage

register = template.Library()

_STAGE_CLASSES = {
    "active": "text-bg-success",
    "won_back": "text-bg-success",
    "new": "text-bg-primary",
    "at_risk": "text-bg-warning",
    "lapsed": "text-bg-secondary",
    "terminated": "text-bg-danger",
}


@register.simple_tag
def lifecycle_badge(customer) -> SafeString:
    return _lifecycle_badge(customer.lifecycle_stage, get_language())


# A badge depends only on the stage (or the three consents) and the language: the list draws
# the same few badges on every row, so each is written once per language.
@lru_cache(maxsize=64)
def _lifecycle_badge(stage: str, language: str | None) -> SafeString:
    label = LifecycleStage(stage).label if stage in LifecycleStage.values else stage
    return format_html(
        '<span class="badge {}">{}</span>',
        _STAGE_CLASSES.get(stage, "text-bg-light border"),
        label,
    )


def _consent_badge(granted: bool, label: str) -> SafeString:
    if granted:
        return format_html(
            '<span class="badge text-bg-success"><span aria-hidden="true">✓ </span>{}'
            '<span class="visually-hidden"> {}</span></span>',
            label,
            gettext("consent given"),
        )
    return format_html(
        '<span class="badge text-bg-light border text-body-emphasis consent-missing">'
        '<span aria-hidden="true">✗ </span>{}<span class="visually-hidden"> {}</span></span>',
        label,
        gettext("no consent"),
    )


@register.simple_tag
def consent_badges(customer) -> SafeString:
    return _consent_badges(
        bool(customer.consent_email),
        bool(customer.consent_sms),
        bool(customer.consent_phone),
        get_language(),
    )


@lru_cache(maxsize=64)
def _consent_badges(email: bool, sms: bool, phone: bool, language: str | None) -> SafeString:
    channels = [(email, gettext("Email")), (sms, gettext("SMS")), (phone, gettext("Call"))]
    return format_html_join("\n", "{}", ((_consent_badge(*channel),) for channel in channels))
