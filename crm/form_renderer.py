"""The form renderer: Django's Jinja2 copies of its widget templates, with a way back.

The widgets' HTML is the same as with the template language; Jinja2 draws it for a fraction of
the CPU (a select includes two templates per option in the template language, and a page such as
the customer list draws some 80 options). Widgets whose templates exist only for the template
language (the admin's, a package's) are drawn by Django's default renderer, as before.
"""

from __future__ import annotations

from django.forms.renderers import DjangoTemplates, Jinja2
from django.template import TemplateDoesNotExist


class WidgetRenderer(Jinja2):
    # Django's default renderer, for the widget templates that Jinja2 does not have (the admin's
    # date and related-object widgets, which include Django's own widget templates in turn).
    fallback = DjangoTemplates()

    def get_template(self, template_name: str):
        try:
            return super().get_template(template_name)
        except TemplateDoesNotExist:
            return self.fallback.get_template(template_name)
