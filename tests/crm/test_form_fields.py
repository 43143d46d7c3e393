"""`as_field` draws simple fields as crispy-forms' Bootstrap 5 pack does, without its templates."""

from __future__ import annotations

from django import forms
from django.forms.renderers import DjangoTemplates
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


class CheckboxesForm(forms.Form):
    tiers = forms.MultipleChoiceField(
        label="Seviye <1>",
        choices=[("1", "Platin"), ("2", "Altın & <Gümüş>")],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    required_tiers = forms.MultipleChoiceField(
        label="Zorunlu",
        choices=[("a", "A"), ("b", 'B "b"')],
        widget=forms.CheckboxSelectMultiple(attrs={"data-x": "1"}),
        required=True,
    )
    grouped = forms.MultipleChoiceField(
        label="Gruplu",
        choices=[("Üst", [("1", "Platin"), ("2", "Altın")]), ("3", "Bronz")],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    helped = forms.MultipleChoiceField(
        label="Yardımlı",
        choices=[("1", "Bir")],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Birini seçin",
    )
    radios = forms.ChoiceField(
        label="Tek", choices=[("1", "Bir")], widget=forms.RadioSelect, required=False
    )


def test_checkbox_lists_are_drawn_as_crispy_draws_them():
    for data in ({}, {"tiers": ["2"], "required_tiers": ["a", "b"], "grouped": ["1", "3"]}):
        form = CheckboxesForm(data)
        for name in ("tiers", "required_tiers", "grouped"):
            ours, crispy = _both(form, name)
            assert " ".join(ours.split()) == crispy, (name, data)
    ours, _crispy = _both(CheckboxesForm({"tiers": ["2"]}), "tiers")
    assert '<legend class="form-label fs-6">\nSeviye &lt;1&gt;\n</legend>' in ours
    assert 'value="2"  id="id_tiers_1" checked>' in ours
    assert "Altın &amp; &lt;Gümüş&gt;" in ours


def test_other_widgets_are_left_to_crispy():
    # Errors (a choice that is not one), help text, radios: crispy's own templates.
    for form, name in (
        (FilterForm({"tiers": ["9"]}), "tiers"),
        (CheckboxesForm({}), "helped"),
        (CheckboxesForm({}), "radios"),
    ):
        ours, crispy = _both(form, name)
        assert " ".join(ours.split()) == crispy
        assert ours != " ".join(ours.split())  # crispy's whitespace, untouched


class SelectsForm(forms.Form):
    plain = forms.ChoiceField(
        choices=[("", "Seçin…"), ("a", "İzmir & <Ege>"), (3, 'Çağ "3"')], required=False
    )
    grouped = forms.ChoiceField(
        choices=[("", "Hepsi"), ("Marmara", [("ist", "İstanbul"), ("brs", "Bursa")])],
        required=True,
        help_text="Bir il seçin",
    )
    many = forms.MultipleChoiceField(choices=[("x", "X"), ("y", "Y")], required=False)
    yes_no = forms.NullBooleanField(required=False)
    fixed = forms.ChoiceField(
        choices=[("a", "A")],
        required=False,
        disabled=True,
        widget=forms.Select(attrs={"id": "own"}),
    )


def _widget_html(html: str) -> str:
    """The <select>…</select> of a rendered field, whitespace normalised."""
    start, end = html.index("<select"), html.index("</select>") + len("</select>")
    return " ".join(html[start:end].split())


def test_selects_are_drawn_exactly_as_djangos_widget_templates_draw_them():
    # Compared with Django's template-language widgets: the project's Jinja2 widgets
    # (crm/form_renderer.py) write a quote as &#34; where Django writes &quot;.
    data = {"plain": "3", "grouped": "brs", "many": ["x", "y"], "yes_no": "false"}
    django = DjangoTemplates()
    forms_drawn = (
        SelectsForm(data, renderer=django),
        SelectsForm({"plain": "zz"}, renderer=django),
        SelectsForm(renderer=django),
    )
    for form in forms_drawn:
        for name in form.fields:
            field = form[name]
            ours = _widget_html(
                Template("{% load form_fields %}{{ f|as_field }}").render(Context({"f": field}))
            )
            attrs = {"class": "select form-select" + (" is-invalid" if field.errors else "")}
            if field.errors:
                attrs |= {"aria-invalid": "true", "aria-describedby": f"{field.auto_id}_error"}
            assert ours == _widget_html(field.as_widget(attrs=attrs)), name


def test_the_quick_forms_selects_are_drawn_as_their_jinja2_widgets_draw_them():
    # crm.form_renderer writes a select in Python with Jinja2's escaping (&#34; for a quote),
    # for the renderer in use (settings.FORM_RENDERER, Jinja2): str(field) to the byte.
    from crm.form_renderer import WidgetRenderer, _widget_html

    data = {"plain": "3", "grouped": "brs", "fixed": "a"}
    for form in (
        SelectsForm(data, renderer=WidgetRenderer()),
        SelectsForm({"plain": "zz"}, renderer=WidgetRenderer()),
        SelectsForm(renderer=WidgetRenderer()),
    ):
        for name in ("plain", "grouped", "fixed"):
            field = form[name]
            assert _widget_html(field) == str(field), name
    assert "&#34;3&#34;" in _widget_html(SelectsForm(renderer=WidgetRenderer())["plain"])
