"""`{% load customer_timeline %}`: `{% timeline_entry entry %}` draws one entry of the customer
page's timeline (a purchase, a contact, a feedback, or a registered source's entry through its
own template) as the <li> the timeline list holds.

Written in Python like customer_badges: the page draws 20 entries, and through the template
language each cost some 1,400 function calls (variable lookups, `get_FOO_display` rebuilding
the choices on every call, the date filters), 28,000 for the timeline of every customer page.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache

from django import template
from django.db import models
from django.template.defaultfilters import floatformat, linebreaksbr, timesince_filter
from django.template.defaultfilters import truncatewords as truncate_words
from django.urls import reverse
from django.utils import formats
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime
from django.utils.translation import gettext

from crm.dates import format_date
from crm.decimals import format_money
from crm.html import format_html
from customers.models import Feedback, Interaction, Transaction
from customers.selectors import TimelineEntry

register = template.Library()

_FEEDBACK_BADGES = {"complaint": "text-bg-danger", "praise": "text-bg-success"}


@cache
def _choice_labels(model: type[models.Model], field_name: str) -> dict:
    """A field's choices as {value: lazy label} (get_FOO_display rebuilds them on every call)."""
    return dict(model._meta.get_field(field_name).flatchoices)


def _display(row: models.Model, field_name: str) -> str:
    value = getattr(row, field_name)
    return str(_choice_labels(type(row), field_name).get(value, value))


def _member_name(user) -> str:
    return user.get_full_name() or user.get_username()


def _purchase(sale: Transaction) -> SafeString:
    parts = [
        format_html('<span class="badge text-bg-primary">{}</span>', _display(sale, "kind")),
        format_html("<strong>{}</strong>", format_money(sale.amount, currency=sale.currency)),
    ]
    if sale.product:
        parts.append(format_html("· {}", sale.product.name))
    elif sale.category:
        parts.append(format_html("· {}", sale.category.name))
    if sale.quantity != 1:
        parts.append(
            format_html(
                '<span class="text-body-secondary">× {}</span>', floatformat(sale.quantity, "-3")
            )
        )
    if sale.status == "refunded":
        parts.append(
            format_html('<span class="badge text-bg-warning">{}</span>', gettext("Refunded"))
        )
    if sale.is_paid_late:
        parts.append(
            format_html('<span class="badge text-bg-danger">{}</span>', gettext("Paid late"))
        )
    if sale.channel:
        margin = ""
        if sale.cost is not None:
            margin = format_html(
                " · {} {}", gettext("margin"), format_money(sale.margin, currency=sale.currency)
            )
        parts.append(
            format_html(
                '<div class="small text-body-secondary">{}{}</div>',
                _display(sale, "channel"),
                margin,
            )
        )
    return mark_safe("\n".join(parts))


def _contact(contact: Interaction) -> SafeString:
    parts = [
        format_html(
            '<span class="badge text-bg-secondary">{}</span>', _display(contact, "channel")
        ),
        format_html("<strong>{}</strong>", contact.subject),
    ]
    if contact.outcome:
        parts.append(
            format_html(
                '<span class="badge text-bg-light border">{}</span>',
                _display(contact, "outcome"),
            )
        )
    who = format_html(" · {}", _member_name(contact.user)) if contact.user else ""
    parts.append(
        format_html(
            '<div class="small text-body-secondary">{}{}</div>',
            _display(contact, "direction"),
            who,
        )
    )
    if contact.notes:
        parts.append(
            format_html('<div class="small">{}</div>', linebreaksbr(contact.notes, autoescape=True))
        )
    return mark_safe("\n".join(parts))


def _feedback(feedback: Feedback, *, tenant_slug: str) -> SafeString:
    url = reverse(
        "customers:feedback_detail",
        kwargs={"tenant_slug": tenant_slug, "feedback_id": feedback.pk},
    )
    text = truncate_words(feedback.text, 16) or gettext("(no text)")
    details = []
    if feedback.nps_score is not None:
        details.append(format_html("NPS {} · ", formats.localize(feedback.nps_score)))
    if feedback.satisfaction_score:
        details.append(
            format_html(
                "{} {}/5 · ",
                gettext("satisfaction"),
                formats.localize(feedback.satisfaction_score),
            )
        )
    if feedback.assignee:
        details.append(
            format_html("{} {}", gettext("assigned to"), _member_name(feedback.assignee))
        )
    if feedback.time_to_resolution:
        duration = conditional_escape(timesince_filter(feedback.opened_at, feedback.resolved_at))
        # As {% blocktranslate %}: the variable escaped, the translation as written.
        details.append(
            mark_safe(" · " + gettext("resolved in %(duration)s") % {"duration": duration})
        )
    return mark_safe(
        "\n".join(
            [
                format_html(
                    '<span class="badge {}">{}</span>',
                    _FEEDBACK_BADGES.get(feedback.kind, "text-bg-info"),
                    _display(feedback, "kind"),
                ),
                format_html('<a href="{}">{}</a>', url, text),
                format_html(
                    '<span class="badge text-bg-light border">{}</span>',
                    _display(feedback, "status"),
                ),
                format_html(
                    '<div class="small text-body-secondary">{}</div>',
                    mark_safe("\n".join(details)),
                ),
            ]
        )
    )


def _registered(context, entry: TimelineEntry) -> SafeString:
    """A registered source's entry, drawn as {% include entry.template_name with item=... %}."""
    entry_template = context.template.engine.get_template(entry.template_name)
    with context.push(item=entry.item):
        return mark_safe(entry_template.render(context))


def _time(when: datetime, *, use_tz: bool) -> SafeString:
    local = template_localtime(when, use_tz=use_tz)  # what the date filter is given
    return format_html(
        '<time class="small text-body-secondary text-nowrap" datetime="{}">{}</time>',
        local.isoformat(),  # the date filter's "c"
        format_date(local, "SHORT_DATETIME_FORMAT"),  # the date filter's, cheaper
    )


@register.simple_tag(takes_context=True)
def timeline_entry(context, entry: TimelineEntry) -> SafeString:
    if entry.kind == "purchase":
        body = _purchase(entry.item)
    elif entry.kind == "contact":
        body = _contact(entry.item)
    elif entry.template_name:
        body = _registered(context, entry)
    else:
        body = _feedback(entry.item, tenant_slug=context["current_tenant"].slug)
    return format_html(
        '<li>\n  <div class="d-flex justify-content-between flex-wrap gap-2">\n'
        "    <div>\n{}\n    </div>\n    {}\n  </div>\n</li>",
        body,
        _time(entry.when, use_tz=context.use_tz),
    )
