"""`{% load form_fields %}`: `{{ form.owner|as_field }}` draws a select or text field as
crispy-forms' Bootstrap 5 pack does (wrapper, label, widget classes, error feedback), in Python.

For filter bars drawn on every view: crispy renders each field through a dozen templates, which was
a seventh of the customer list's CPU at 25 rows. A select's options are written here too, as
Django's select.html writes them: its template includes two more templates per option, and the
list's filter bar has some 80 options. A plain checkbox list (the tier and class filters) is
written here as crispy writes it; other widgets (radios, checkbox lists with errors or help text)
are handed to crispy unchanged.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field
from crispy_forms.templatetags.crispy_forms_filters import optgroups as crispy_optgroups
from django import forms, template
from django.forms.boundfield import BoundField
from django.utils.safestring import SafeString, mark_safe

from crm.html import escaped, format_html, format_html_join

register = template.Library()

ASTERISK = mark_safe('<span class="asteriskField">*</span>')
_SIMPLE_INPUTS = (forms.TextInput, forms.NumberInput, forms.EmailInput, forms.DateInput)


def _attrs_html(attrs: dict, escape: Callable[[Any], str] = escaped) -> SafeString:
    """Django's django/forms/widgets/attrs.html: False leaves the attribute out, True writes its
    bare name."""
    return mark_safe(
        "".join(
            f" {escape(name)}" if value is True else f' {escape(name)}="{escape(value)}"'
            for name, value in attrs.items()
            if value is not False
        )
    )


def _options_html(widget: forms.Select, values: list[str], escape: Callable[[Any], str]) -> str:
    """The options (and optgroups) as Django's ChoiceWidget.optgroups() and select.html write
    them, without a dict and two format_html calls per option: a select lists no attributes on
    its options but `selected` (option_inherits_attrs is False)."""
    parts = []
    has_selected = False
    multiple = widget.allow_multiple_selected
    for option_value, option_label in widget.choices:
        if option_value is None:
            option_value = ""
        grouped = isinstance(option_label, (list, tuple))
        choices = option_label if grouped else [(option_value, option_label)]
        if grouped:
            parts.append(f'\n  <optgroup label="{escape(option_value)}">')
        for value, label in choices:
            selected = (not has_selected or multiple) and str(value) in values
            has_selected |= selected
            parts.append(
                f'\n  <option value="{escape(value)}"{" selected" if selected else ""}>'
                f"{escape(label)}</option>"
            )
        if grouped:
            parts.append("\n  </optgroup>")
    return "".join(parts)


def select_html(
    field: BoundField, attrs: dict, escape: Callable[[Any], str] = escaped
) -> SafeString:
    """What field.as_widget(attrs=attrs) returns for a select, without the widget templates.
    `escape`: Django's template language's (the default) or Jinja2's (markupsafe writes a quote
    as &#34;), as the renderer in use would write it."""
    widget = field.field.widget
    if field.field.localize:
        widget.is_localized = True
    # The attributes as BoundField.as_widget() builds them (required, disabled, aria-*, id).
    attrs = field.build_widget_attrs(dict(attrs), widget)
    if field.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", field.auto_id)
    # Widget.get_context(), not Select's: the options are written here, not by optgroups().
    context = forms.Widget.get_context(widget, field.html_name, field.value(), attrs)["widget"]
    if widget.allow_multiple_selected:
        context["attrs"]["multiple"] = True
    return mark_safe(
        f'<select name="{escape(context["name"])}"{_attrs_html(context["attrs"], escape)}>'
        f"{_options_html(widget, context['value'], escape)}\n</select>"
    )


def _plain_checkboxes(field: BoundField) -> bool:
    """A checkbox list drawn here: without errors, help text, a form helper or CSS classes of
    its own (those are crispy's), every choice value a string (crispy unlocalizes numbers)."""
    return (
        type(field.field.widget) is forms.CheckboxSelectMultiple
        and bool(field.label)
        and not field.errors
        and not field.help_text
        and getattr(field.form, "helper", None) is None
        and not field.css_classes()
        and all(
            isinstance(value, str)
            and (
                not isinstance(label, (list, tuple))
                or all(isinstance(inner, str) for inner, _inner_label in label)
            )
            for value, label in field.field.widget.choices
        )
    )


def _checkboxes_html(field: BoundField) -> SafeString:
    """A checkbox list as crispy's bootstrap5 field.html and radio_checkbox_select.html draw it
    (the same markup, the whitespace between tags shortened): a fieldset, its legend, and a
    form-check per choice with the attributes Django's optgroups() gives each option."""
    options = []
    for group, group_options, _index in crispy_optgroups(field):
        if group:
            options.append(format_html("\n    <strong>{}</strong>", group))
        for option in group_options:
            options.append(
                format_html(
                    '\n      <div class="form-check">\n        <input type="{}" '
                    'class="form-check-input"  name="{}" value="{}" {}>\n'
                    '        <label for="{}" class="form-check-label">\n            {}\n'
                    "        </label>\n     </div>",
                    option["type"],
                    field.html_name,
                    option["value"],
                    _attrs_html(option["attrs"]),
                    option["attrs"].get("id", ""),
                    option["label"],
                )
            )
    describedby = field.aria_describedby
    legend_for = field.id_for_label
    return format_html(
        '\n<div id="div_{}" class="mb-3">\n<fieldset{}>\n<legend{} class="form-label{} fs-6">\n'
        "{}{}\n</legend>\n<div >{}\n</div>\n</fieldset>\n</div>\n",
        field.auto_id,
        format_html(' aria-describedby="{}"', describedby) if describedby else "",
        format_html(' for="{}"', legend_for) if legend_for else "",
        " requiredField" if field.field.required else "",
        field.label,
        ASTERISK if field.field.required else "",
        mark_safe("".join(options)),
    )


@register.filter
def as_field(field: BoundField) -> SafeString:
    widget = field.field.widget
    is_select = type(widget) in (forms.Select, forms.SelectMultiple, forms.NullBooleanSelect)
    if not is_select and not isinstance(widget, _SIMPLE_INPUTS):
        if _plain_checkboxes(field):
            return _checkboxes_html(field)
        return as_crispy_field(field)
    classes = "select form-select" if is_select else "form-control"
    attrs = {"class": classes + (" is-invalid" if field.errors else "")}
    if field.errors:
        attrs |= {"aria-invalid": "true", "aria-describedby": f"{field.auto_id}_error"}
    feedback = ""
    if field.errors:
        feedback = format_html(
            '<div id="{}_error" class="invalid-feedback">{}</div>',
            field.auto_id,
            format_html_join("", "<p><strong>{}</strong></p>", ((e,) for e in field.errors)),
        )
    label = ""
    if field.label:
        label = format_html(
            '<label for="{}" class="form-label">{}{}</label>',
            field.id_for_label,
            field.label,
            ASTERISK if field.field.required else "",
        )
    return format_html(
        '<div id="div_{}" class="mb-3">{}{}{}</div>',
        field.auto_id,
        label,
        select_html(field, attrs) if is_select else field.as_widget(attrs=attrs),
        feedback,
    )
