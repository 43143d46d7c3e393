"""HTML of the customer list's cells, written in Python.

A list page shows 25 rows × every registered column, in the table and again on the phone cards;
one template include per cell cost more CPU than all of the page's queries, so each column
renders its cell with format_html, once per row (customers/list_extensions.py, ListColumn.render).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from crm.dates import format_date
from crm.decimals import format_money
from crm.html import format_html

DASH = mark_safe('<span class="text-body-secondary">—</span>')


def muted(text: str) -> SafeString:
    """A greyed-out word in a cell ("never", "Prospect")."""
    return format_html('<span class="text-body-secondary">{}</span>', text)


def nowrap(text: str) -> SafeString:
    return format_html('<span class="text-nowrap">{}</span>', text)


def moment(value: datetime) -> SafeString:
    """A date in the user's language and the tenant's time zone, the full time on hover."""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return format_html(
        '<span class="text-nowrap" title="{}">{}</span>',
        format_date(local, "DATETIME_FORMAT"),
        format_date(local, "SHORT_DATE_FORMAT"),
    )


def revenue_html(activity: Any) -> SafeString:
    """`activity` is the customer's CustomerActivity (or None)."""
    if activity is None or not activity.revenue_window:
        return DASH
    return nowrap(format_money(activity.revenue_window))


def last_purchase_html(activity: Any) -> SafeString:
    if activity is None or activity.last_purchase_at is None:
        return DASH
    return moment(activity.last_purchase_at)


def last_contact_html(activity: Any) -> SafeString:
    if activity is None or activity.last_contact_at is None:
        return muted(gettext("never"))
    return moment(activity.last_contact_at)
