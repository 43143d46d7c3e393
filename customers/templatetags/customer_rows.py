"""`{% load customer_rows %}`: the customer list's rows (table) and phone cards, in Python.

{% customer_table_rows rows can_select=... %}   one <tr> per customer
{% customer_cards rows %}                        one card per customer (below 576 px)

The list draws 25 customers twice (table and cards). As a template loop, each row was some
2,700 function calls of tags, filters and `{% url %}`: a third of the page's CPU. Here a row is
one format_html, the customer's address is reversed once per page, and a phone number is
formatted once per row for both places.
"""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from crm.html import format_html, format_html_join
from customers.templatetags.customer_badges import consent_badges, lifecycle_badge

register = template.Library()

# Stands for the customer's id while the page reverses the customer address once.
_ID_PLACEHOLDER = 2_147_483_647
_DASH = mark_safe('<span class="text-body-secondary">—</span>')


def _detail_url_parts(tenant_slug: str) -> tuple[str, str]:
    """The customer page's address split where the id goes: prefix + id + suffix."""
    url = reverse(
        "customers:detail",
        kwargs={"tenant_slug": tenant_slug, "customer_id": _ID_PLACEHOLDER},
    )
    prefix, _sep, suffix = url.rpartition(str(_ID_PLACEHOLDER))
    return prefix, suffix


def _phone(customer) -> tuple[str, str]:
    """(national, E.164) of the customer's phone, or empty strings."""
    phone = customer.phone
    if not phone:
        return "", ""
    return phone.as_national, phone.as_e164


def _name_cell(customer, url: str) -> SafeString:
    badges = []
    if customer.kind == "company":
        badges.append(
            format_html(
                '<span class="badge text-bg-light border ms-1">{}</span>', gettext("Company")
            )
        )
    if customer.archived_at:
        badges.append(
            format_html('<span class="badge text-bg-secondary ms-1">{}</span>', gettext("Archived"))
        )
    tags = format_html_join(
        "",
        '<span class="badge rounded-pill text-bg-info-subtle border border-info-subtle '
        'text-info-emphasis ms-1">{}</span>',
        ((tag,) for tag in customer.tags or ()),
    )
    industry = (
        format_html('<div class="small text-body-secondary">{}</div>', customer.industry)
        if customer.industry
        else ""
    )
    return format_html(
        '<a class="fw-semibold" href="{}">{}</a>{}{}{}',
        url,
        customer.display_name,
        mark_safe("".join(badges)),
        tags,
        industry,
    )


def _contact_cell(customer, national_phone: str) -> SafeString:
    email = format_html("<div>{}</div>", customer.email) if customer.email else ""
    phone = (
        format_html('<div class="text-body-secondary">{}</div>', national_phone)
        if national_phone
        else ""
    )
    return format_html("{}{}", email, phone)


def _owner_cell(customer) -> SafeString:
    owner = customer.owner
    if owner is None:
        return _DASH
    return format_html("{}", owner.get_full_name() or owner.get_username())


def _table_row(row, url: str, national_phone: str, can_select: bool) -> SafeString:
    customer = row.customer
    select = ""
    if can_select:
        select = format_html(
            '<td><input class="form-check-input" type="checkbox" name="customers" value="{}" '
            'form="bulk-form" aria-label="{}"></td>',
            customer.pk,
            gettext("Select %(name)s") % {"name": customer.display_name},
        )
    region = (
        format_html('<div class="small text-body-secondary">{}</div>', customer.region)
        if customer.region
        else ""
    )
    cells = format_html_join(
        "", '<td class="small">{}</td>', ((cell["html"],) for cell in row.cells)
    )
    return format_html(
        "<tr>{}<td>{}</td>"
        '<td class="small">{}</td>'
        "<td>{}{}</td>"
        "<td>{}</td>"
        '<td class="small">{}</td>'
        "{}"
        '<td class="small text-nowrap">{}</td></tr>',
        select,
        _name_cell(customer, url),
        _contact_cell(customer, national_phone),
        customer.city or "—",
        region,
        lifecycle_badge(customer),
        _owner_cell(customer),
        cells,
        consent_badges(customer),
    )


def _card(row, url: str, national_phone: str, e164_phone: str) -> SafeString:
    customer = row.customer
    phone = ""
    if national_phone:
        phone = format_html(
            '<a class="small d-block" href="tel:{}">{}</a>', e164_phone, national_phone
        )
    facts = format_html_join(
        "",
        "<div><dt>{}</dt> <dd>{}</dd></div>",
        ((cell["column"].label, cell["html"]) for cell in row.cells if cell["column"].on_card),
    )
    return format_html(
        '<li class="list-group-item"><a class="fw-semibold" href="{}">{}</a>{}'
        '<dl class="customer-card-facts small mb-0">{}</dl></li>',
        url,
        customer.display_name,
        phone,
        facts,
    )


def _rows_with_links(context, rows):
    """Each row with its customer address and phone, worked out once for the table and cards."""
    cached = context.render_context.get("customer_rows")
    if cached is not None and cached[0] is rows:
        return cached[1]
    prefix, suffix = _detail_url_parts(context["current_tenant"].slug)
    prepared = [(row, f"{prefix}{row.customer.pk}{suffix}", *_phone(row.customer)) for row in rows]
    context.render_context["customer_rows"] = (rows, prepared)
    return prepared


@register.simple_tag(takes_context=True)
def customer_table_rows(context, rows, can_select=False) -> SafeString:
    return mark_safe(
        "\n".join(
            _table_row(row, url, national, bool(can_select))
            for row, url, national, _e164 in _rows_with_links(context, rows)
        )
    )


@register.simple_tag(takes_context=True)
def customer_cards(context, rows) -> SafeString:
    return mark_safe(
        "\n".join(
            _card(row, url, national, e164)
            for row, url, national, e164 in _rows_with_links(context, rows)
        )
    )
