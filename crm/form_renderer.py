"""The form renderer: Django's Jinja2 copies of its widget templates, with a way back; and the
quick forms' fields written directly in crispy-forms' bootstrap5 markup.

The widgets' HTML is the same as with the template language; Jinja2 draws it for a fraction of
the CPU (a select includes two templates per option in the template language, and a page such as
the customer list draws some 80 options). Widgets whose templates exist only for the template
language (the admin's, a package's) are drawn by Django's default renderer, as before.

crispy-forms draws each field through three templates of the template language, some 2,000
function calls a field: the contact form that every customer page shows cost 20,000.
`layout_html` writes the same markup as crispy's bootstrap5 pack for a helper layout made of
rows, columns, divs and plain fields, drawing only the widget itself through Django; a layout
with anything else (fieldsets, inline radios, a checkbox) is left to crispy (None).
"""

from __future__ import annotations

import markupsafe
from django import forms
from django.conf import settings
from django.forms.renderers import DjangoTemplates, Jinja2
from django.forms.widgets import Input
from django.template import TemplateDoesNotExist
from django.utils.safestring import SafeString, mark_safe

from crm.html import format_html, format_html_join


class WidgetRenderer(Jinja2):
    # Django's default renderer, for the widget templates that Jinja2 does not have (the admin's
    # date and related-object widgets, which include Django's own widget templates in turn).
    fallback = DjangoTemplates()

    def get_template(self, template_name: str):
        try:
            return super().get_template(template_name)
        except TemplateDoesNotExist:
            return self.fallback.get_template(template_name)


def layout_html(form: forms.BaseForm) -> SafeString | None:
    """The non-field errors and the fields of `form.helper.layout` as crispy's bootstrap5 pack
    draws them (helper with the defaults: labels and errors shown, errors inline, no label or
    field classes), or None when the helper or the layout holds something drawn otherwise."""
    from crispy_forms.layout import Column, Div, Layout, Row

    helper = getattr(form, "helper", None)
    layout = getattr(helper, "layout", None)
    if (
        layout is None
        or type(layout) is not Layout
        or getattr(helper, "template_pack", None) not in (None, "bootstrap5")
        or not helper.form_show_errors
        or not helper.form_show_labels
        or not helper.error_text_inline
        or helper.label_class
        or helper.field_class
        or helper.field_template
        or helper.render_unmentioned_fields
        or helper.render_hidden_fields
        or helper.render_required_fields
    ):
        return None
    containers = {Div: "div", Row: "row", Column: "column"}

    def drawable(item) -> bool:
        if isinstance(item, str):
            return item in form.fields and _plain_widget(form.fields[item].widget)
        kind = containers.get(type(item))
        return (
            kind is not None
            and item.template == type(item).template
            and all(drawable(child) for child in item.fields)
        )

    def draw(item) -> str:
        if isinstance(item, str):
            return _bootstrap_field(form[item])
        inner = "".join(draw(child) for child in item.fields)
        return f"{_container_open(containers[type(item)], item)}{inner}</div>"

    if not all(drawable(item) for item in layout.fields):
        return None
    return mark_safe(_non_field_errors(form) + "".join(draw(item) for item in layout.fields))


def _non_field_errors(form: forms.BaseForm) -> str:
    errors = form.non_field_errors()
    if not errors:
        return ""
    items = format_html_join("", "<li>{}</li>", ((error,) for error in errors))
    return format_html(
        '<div class="alert alert-block alert-danger"><ul class="m-0">{}</ul></div>', items
    )


def _container_open(kind: str, item) -> str:
    """bootstrap5/layout/div.html, row.html and column.html."""
    css = item.css_class or ""
    if kind == "row":
        css = f"row {css}"
    elif kind == "column" and "col" not in css:
        css = f"col-md {css}"
    id_attr = format_html(' id="{}"', item.css_id) if item.css_id else ""
    class_attr = format_html(' class="{}"', css) if css else ""
    return f"<div{id_attr}{class_attr}{item.flat_attrs}>"


def _plain_widget(widget: forms.Widget) -> bool:
    """Widgets crispy draws as one control with a label above: text-like inputs, selects and
    text areas (not checkboxes, radios, files, hidden or multi-part widgets)."""
    if widget.is_hidden or isinstance(
        widget, forms.CheckboxInput | forms.FileInput | forms.RadioSelect | forms.MultiWidget
    ):
        return False
    if getattr(widget, "use_fieldset", False):
        return False
    return isinstance(widget, Input | forms.Select | forms.Textarea)


def _widget_class(widget: forms.Widget, extra: str) -> str:
    """The class crispy's crispy_field tag gives a widget: its own, the widget's lower-cased
    class name (through CRISPY_CLASS_CONVERTERS), then the pack's classes."""
    converters = getattr(settings, "CRISPY_CLASS_CONVERTERS", {})
    name = widget.__class__.__name__.lower()
    name = converters.get(name, name)
    css = widget.attrs.get("class", "")
    if not css:
        css = name
    elif css.find(name) == -1:
        css += f" {name}"
    for word in extra.split():
        if word not in css.split():
            css += f" {word}"
    return css


def _jinja_escape(value) -> str:
    return markupsafe.escape(value)


def _widget_html(field: forms.BoundField) -> str:
    """str(field): a select drawn by the widget templates of this renderer (Jinja2) is written
    in Python with Jinja2's escaping (crm.templatetags.form_fields.select_html), the same
    markup for a sixth of the calls; other widgets are drawn by their templates."""
    from crm.templatetags.form_fields import select_html

    widget = field.field.widget
    if (
        type(widget) is forms.Select
        and widget.template_name == forms.Select.template_name
        and widget.option_template_name == forms.Select.option_template_name
        and not field.field.show_hidden_initial
        and isinstance(field.form.renderer, WidgetRenderer)
    ):
        return select_html(field, {}, escape=_jinja_escape)
    return str(field)


def _bootstrap_field(field: forms.BoundField) -> str:
    """bootstrap5/field.html for a plain widget (see _plain_widget)."""
    widget = field.field.widget
    required = field.field.required
    errors = field.errors
    pack_class = "form-select" if isinstance(widget, forms.Select) else "form-control"
    if errors:
        pack_class += " is-invalid"
    wrapper_class = "mb-3"
    if field.css_classes():
        wrapper_class += f" {field.css_classes()}"
    html = [format_html('<div id="div_{}" class="{}">', field.auto_id, wrapper_class)]
    if field.label:
        label_for = format_html(' for="{}"', field.id_for_label) if field.id_for_label else ""
        html.append(
            format_html(
                '<label{} class="form-label{}">{}{}</label>',
                label_for,
                " requiredField" if required else "",
                field.label,
                mark_safe('<span class="asteriskField">*</span>') if required else "",
            )
        )
    # What crispy's tag does before str(field): the class goes on the widget itself, so that the
    # attributes keep their order and the hidden initial value (if any) is drawn as usual.
    widget.attrs["class"] = _widget_class(widget, pack_class)
    html.append(_widget_html(field))
    if errors:
        html.append(format_html('<div id="{}_error" class="invalid-feedback">', errors.field_id))
        for number, error in enumerate(errors, start=1):
            html.append(
                format_html(
                    '<span id="error_{}_{}"><strong>{}</strong></span>',
                    number,
                    field.auto_id,
                    error,
                )
            )
        html.append("</div>")
    if field.help_text:
        id_attr = format_html('id="{}_helptext" ', field.auto_id) if field.auto_id else ""
        html.append(
            format_html(
                '<div {}class="form-text">{}</div>', id_attr, mark_safe(str(field.help_text))
            )
        )
    html.append("</div>")
    return "".join(str(part) for part in html)
