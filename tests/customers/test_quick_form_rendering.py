"""The quick forms' fields written directly (crm.form_renderer.layout_html) are crispy-forms'
bootstrap5 markup: the same elements, attributes, labels, help texts and errors as
`{% crispy form %}`, blank and bound with errors; layouts it does not know are left to crispy."""

from __future__ import annotations

import pytest
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Div, Layout, Row
from django import forms
from django.template import Context, Template
from django.test.html import parse_html
from django_scopes import scope

from crm.form_renderer import layout_html
from customers.forms import ConsentForm, FeedbackForm, InteractionForm, TransactionForm
from customers.selectors import tenant_members

pytestmark = pytest.mark.django_db

CRISPY = Template("{% load crispy_forms_tags %}{% crispy form %}")


def crispy_html(form) -> str:
    return CRISPY.render(Context({"form": form}))


def both(make) -> tuple[str, str]:
    """The form drawn both ways; each drawing gets its own form, as crispy changes widgets."""
    ours = layout_html(make())
    assert ours is not None
    return ours, crispy_html(make())


def quick_forms(tenant) -> dict:
    members = tenant_members(tenant=tenant)
    return {
        "contact": lambda data=None: InteractionForm(data, prefix="contact", members=members),
        "sale": lambda data=None: TransactionForm(data, prefix="sale", tenant=tenant),
        "feedback": lambda data=None: FeedbackForm(data, prefix="feedback", members=members),
    }


@pytest.mark.parametrize("name", ["contact", "sale", "feedback"])
def test_a_blank_quick_form_is_crispys_markup(tenant, sales_user, name):
    with scope(tenant=tenant):
        make = quick_forms(tenant)[name]
        ours, crispy = both(make)

    assert parse_html(ours) == parse_html(crispy)
    assert 'class="row "' in ours and "mb-3" in ours


BAD = {
    "contact-outcome": "follow_up",  # without a date: an error of the form's own clean()
    "contact-subject": "<b>" + "x" * 300 + "</b>",  # too long, and escaped when shown again
    "sale-amount": "-5",
    "feedback-kind": "complaint",
}


@pytest.mark.parametrize("name", ["contact", "sale", "feedback"])
def test_errors_are_shown_as_crispy_shows_them(tenant, sales_user, name):
    def bound():
        form = quick_forms(tenant)[name](BAD)
        form.is_valid()
        form.add_error(None, "Kayıt <alınamadı>")  # what a service's error becomes
        return form

    with scope(tenant=tenant):
        ours, crispy = both(bound)

    assert parse_html(ours) == parse_html(crispy)
    assert 'class="invalid-feedback"' in ours and "is-invalid" in ours
    assert '<div class="alert alert-block alert-danger"><ul class="m-0">' in ours
    assert "Kayıt &lt;alınamadı&gt;" in ours


def test_the_contact_form_keeps_its_values_errors_and_hidden_initial(tenant, sales_user):
    with scope(tenant=tenant):
        form = InteractionForm(BAD, prefix="contact", members=tenant_members(tenant=tenant))
        form.is_valid()
        ours = layout_html(form)

    assert '<option value="follow_up" selected>' in ours
    assert 'id="id_contact-follow_up_on_error"' in ours
    assert 'name="initial-contact-occurred_at"' in ours
    assert "&lt;b&gt;xxx" in ours


def test_a_layout_with_inline_radios_is_left_to_crispy(tenant):
    assert layout_html(ConsentForm(prefix="consent")) is None


class HelpAndClasses(forms.Form):
    name = forms.CharField(
        label="Ad <i>", help_text="Ünvanı <em>yazın</em>", widget=forms.TextInput({"class": "x"})
    )
    size = forms.ChoiceField(choices=[("s", "Küçük")], required=False)
    agree = forms.BooleanField(required=False)

    def __init__(self, *args, layout, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = layout


def test_help_texts_own_classes_ids_and_divs_match_crispy():
    def make():
        layout = Layout(
            Div(Row(Column("name", css_class="col-4", css_id="c")), "size", css_class="d")
        )
        return HelpAndClasses({"size": "zz"}, layout=layout)

    ours, crispy = both(make)

    assert parse_html(ours) == parse_html(crispy)
    assert 'class="x textinput form-control is-invalid"' in ours
    assert '<div id="id_name_helptext" class="form-text">Ünvanı <em>yazın</em></div>' in ours


@pytest.mark.parametrize(
    "change",
    [
        lambda helper: setattr(helper, "label_class", "col-2"),
        lambda helper: setattr(helper, "form_show_labels", False),
        lambda helper: setattr(helper, "help_text_inline", True),
        lambda helper: setattr(helper, "render_unmentioned_fields", True),
    ],
)
def test_helper_settings_it_does_not_draw_are_left_to_crispy(change):
    form = HelpAndClasses(layout=Layout("name"))
    change(form.helper)
    assert layout_html(form) is None


def test_a_checkbox_is_left_to_crispy():
    assert layout_html(HelpAndClasses(layout=Layout(Row(Column("agree"))))) is None


@pytest.mark.parametrize("name", ["contact", "sale", "feedback"])
def test_the_quick_forms_selects_are_their_widgets_markup_to_the_byte(tenant, sales_user, name):
    from crm.form_renderer import _widget_html

    data = {
        "contact-channel": "email",
        "contact-outcome": "reached",
        "contact-follow_up_owner": str(sales_user.pk),
        "sale-kind": "sale",
        "feedback-kind": "complaint",
        "feedback-assignee": str(sales_user.pk),
    }
    with scope(tenant=tenant):
        make = quick_forms(tenant)[name]
        for form in (make(), make(data)):
            selects = [
                form[field]
                for field in form.fields
                if type(form.fields[field].widget) is forms.Select
            ]
            assert selects
            for field in selects:
                assert _widget_html(field) == str(field), field.name
