"""`as_field` draws simple fields as crispy-forms' Bootstrap 5 pack does, without its templates."""

from __future__ import annotations

from django import forms
from django.template import Context, Template

TEMPLATE = Template(
    "{% load form_fields crispy_forms_tags %}{{ field|as_field }}|{{ field|as_crispy_field }}"
)


class FilterForm(forms.Form):
    stage = forms.ChoiceField(
        label="Aşama", choices=[("", "Seçin…"), ("new", "Yeni")], required=False
    )
    tag = forms.CharField(label="Etiket <b>", required=True)
    tiers = forms.MultipleChoiceField(
        label="Seviye",
        choices=[("1", "Platin")],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )


def _both(form, name) -> tuple[str, str]:
    ours, crispy = TEMPLATE.render(Context({"field": form[name]})).split("|")
    return ours, " ".join(crispy.split())


def test_a_select_gets_crispys_wrapper_label_and_classes():
    ours, crispy = _both(FilterForm({"stage": "new"}), "stage")
    assert ours.startswith(
        '<div id="div_id_stage" class="mb-3"><label for="id_stage" class="form-label">Aşama</label>'
    )
    assert '<select name="stage" class="select form-select" id="id_stage">' in ours
    assert '<select name="stage" class="select form-select" id="id_stage">' in crispy
    assert '<option value="new" selected>Yeni</option>' in ours


def test_an_invalid_value_is_marked_and_explained():
    ours, _crispy = _both(FilterForm({"stage": "zz"}), "stage")
    assert 'class="select form-select is-invalid" aria-invalid="true"' in ours
    assert 'aria-describedby="id_stage_error"' in ours
    assert '<div id="id_stage_error" class="invalid-feedback"><p><strong>' in ours


def test_labels_are_escaped_and_required_fields_starred():
    ours, _crispy = _both(FilterForm({}), "tag")
    assert 'Etiket &lt;b&gt;<span class="asteriskField">*</span></label>' in ours
    assert 'class="form-control is-invalid"' in ours


def test_other_widgets_are_left_to_crispy():
    ours, crispy = _both(FilterForm({}), "tiers")
    assert " ".join(ours.split()) == crispy
