"""`{% load quick_forms %}`: `{% quick_form_fields form %}` draws a quick action's fields (the
customer page's contact form and the tabs' forms) as `{% crispy form %}` does, written directly
when the layout allows it (crm/form_renderer.py says why), through crispy-forms otherwise."""

from __future__ import annotations

from crispy_forms.utils import render_crispy_form
from django import template
from django.utils.safestring import SafeString

from crm.form_renderer import layout_html

register = template.Library()


@register.simple_tag(takes_context=True)
def quick_form_fields(context, form) -> SafeString:
    html = layout_html(form)
    if html is not None:
        return html
    return render_crispy_form(form, helper=form.helper, context=context.flatten())
