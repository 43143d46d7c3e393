"""crm.html's format_html and format_html_join write what Django's write."""

from __future__ import annotations

from decimal import Decimal

from django.utils import html as django_html
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy

from crm import html

VALUES = [
    "İzmir & <Ege>",
    "Çağ \"3\" 'tek'",
    mark_safe("<b>kalın</b>"),
    gettext_lazy("Customers"),
    42,
    Decimal("1250.50"),
    None,
    "",
]


def test_format_html_escapes_as_djangos_does():
    with translation.override("tr"):
        for value in VALUES:
            for template in ("<td>{}</td>", '<a title="{}">{}</a>'):
                args = (value,) * template.count("{}")
                ours = html.format_html(template, *args)
                assert ours == django_html.format_html(template, *args), value
                assert isinstance(ours, SafeString)
        assert html.format_html("{a}|{b}", a=VALUES[0], b=VALUES[2]) == django_html.format_html(
            "{a}|{b}", a=VALUES[0], b=VALUES[2]
        )


def test_format_html_join_joins_tuples_and_mappings_as_djangos_does():
    rows = [(value, index) for index, value in enumerate(VALUES)]
    assert html.format_html_join("<br>", "<li>{}:{}</li>", rows) == django_html.format_html_join(
        "<br>", "<li>{}:{}</li>", rows
    )
    named = [{"name": value} for value in VALUES]
    assert html.format_html_join(
        mark_safe("<hr>"), "<i>{name}</i>", named
    ) == django_html.format_html_join(mark_safe("<hr>"), "<i>{name}</i>", named)


def test_escaped_is_conditional_escape():
    for value in VALUES:
        assert html.escaped(value) == django_html.conditional_escape(value)
