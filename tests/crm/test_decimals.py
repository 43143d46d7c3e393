"""Reading and writing decimals and money in the user's language (crm.decimals, crm.fields)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django import forms
from django.template import Context, Template
from django.utils import translation

from crm.decimals import (
    AmbiguousDecimalError,
    DecimalParseError,
    format_decimal,
    format_for_input,
    format_money,
    parse_localized_decimal,
)
from crm.fields import LocalizedDecimalField

# What a user types, and what it means, in both languages (the readings do not depend on it).
READINGS = [
    ("1250,50", "1250.50"),
    ("1.250,50", "1250.50"),
    ("1250.50", "1250.50"),
    ("1,250.50", "1250.50"),
    ("1250", "1250"),
    ("1250,5", "1250.5"),
    ("12,5", "12.5"),
    ("0,5", "0.5"),
    (",5", "0.5"),
    ("0,250", "0.250"),  # no thousands group starts with 0
    ("1250,500", "1250.500"),  # a thousands group has one to three digits before it
    ("1.250.000", "1250000"),
    ("1,250,000", "1250000"),
    ("1.250.000,75", "1250000.75"),
    ("1 250,50", "1250.50"),
    ("1\u00a0250,50", "1250.50"),
    ("₺1.250,50", "1250.50"),
    ("1.250,50 ₺", "1250.50"),
    ("1.250,50 TL", "1250.50"),
    ("  42  ", "42"),
    ("-5,5", "-5.5"),
    ("\u22125,5", "-5.5"),
    ("+7", "7"),
    ("0", "0"),
]


@pytest.mark.parametrize("language", ["tr", "en"])
@pytest.mark.parametrize(("text", "expected"), READINGS)
def test_parse_reads_turkish_and_international_writing(text, expected, language):
    assert parse_localized_decimal(text, language=language) == Decimal(expected)


@pytest.mark.parametrize("language", ["tr", "en"])
@pytest.mark.parametrize("text", ["1.250", "1,250", "12.500", "999,999", "-1.250", "1.250 TL"])
def test_parse_refuses_a_number_that_reads_two_ways(text, language):
    with pytest.raises(AmbiguousDecimalError):
        parse_localized_decimal(text, language=language)


def test_ambiguous_error_names_both_readings_in_turkish():
    with pytest.raises(AmbiguousDecimalError) as caught:
        parse_localized_decimal("1.250", language="tr")
    assert str(caught.value) == (
        "“1.250” iki türlü okunabilir: 1250 ya da 1,25. Hangisini kastediyorsanız binlik "
        "ayırıcı olmadan yazın."
    )


def test_ambiguous_error_names_both_readings_in_english():
    with pytest.raises(AmbiguousDecimalError) as caught:
        parse_localized_decimal("1,250", language="en")
    assert str(caught.value) == (
        "“1,250” can be read two ways, as 1250 or as 1.25: type the one you mean without a "
        "thousands separator."
    )


@pytest.mark.parametrize(
    "text",
    ["abc", "", "-", "1,2,3.4.5x", "NaN", "Infinity", "1e5", "1.2.3,4", "12.50.000", "1.250,"],
)
def test_parse_refuses_what_is_not_a_number(text):
    with pytest.raises(DecimalParseError) as caught:
        parse_localized_decimal(text, language="en")
    assert not isinstance(caught.value, AmbiguousDecimalError)
    assert str(caught.value) == f"“{text.strip()}” is not a number."


def test_parse_errors_are_value_errors_for_the_importer():
    assert issubclass(DecimalParseError, ValueError)


@pytest.mark.parametrize(
    ("language", "expected"),
    [("tr", "1.250,50\u00a0₺"), ("en", "1,250.50\u00a0₺")],
)
def test_format_money_writes_the_lira_after_the_amount(language, expected):
    assert format_money(Decimal("1250.5"), language=language) == expected


def test_format_money_of_another_currency_uses_its_symbol():
    assert format_money(Decimal("-99.999"), currency="EUR", language="tr") == "-100,00\u00a0€"


def test_format_decimal_places_and_grouping():
    assert format_decimal(Decimal("1234567.891"), places=1, language="tr") == "1.234.567,9"
    assert format_decimal(Decimal("1234.5"), grouping=False, language="en") == "1234.50"
    assert format_decimal(None) == ""


def test_format_for_input_is_what_the_user_would_type():
    assert format_for_input(Decimal("1250.50"), language="tr") == "1250,50"
    assert format_for_input(Decimal("1250.50"), language="en") == "1250.50"
    assert format_for_input("1.250,50", language="en") == "1.250,50"  # typed text stays


def test_money_filter_follows_the_active_language():
    template = Template("{% load money %}{{ amount|money }} | {{ amount|money:'USD' }}")
    with translation.override("tr"):
        assert template.render(Context({"amount": Decimal("1250.5")})) == (
            "1.250,50\u00a0₺ | 1.250,50\u00a0$"
        )


class _PriceForm(forms.Form):
    price = LocalizedDecimalField(label="Price", max_digits=8, decimal_places=2, min_value=0)


def test_field_reads_turkish_input_in_turkish():
    with translation.override("tr"):
        form = _PriceForm({"price": "1250,50"})
        assert form.is_valid()
    assert form.cleaned_data["price"] == Decimal("1250.50")


def test_field_refuses_ambiguous_input_with_the_reason():
    with translation.override("en"):
        form = _PriceForm({"price": "1.250"})
        assert not form.is_valid()
    assert form.errors["price"] == [
        "“1.250” can be read two ways, as 1250 or as 1.25: type the one you mean without a "
        "thousands separator."
    ]


def test_field_keeps_the_model_limits():
    with translation.override("en"):
        form = _PriceForm({"price": "1234,567"})  # three decimals: reads as 1234.567
        assert not form.is_valid()
    assert form.errors["price"] == ["Ensure that there are no more than 2 decimal places."]


def test_field_renders_a_text_input_with_the_decimal_keypad():
    with translation.override("tr"):
        html = str(_PriceForm(initial={"price": Decimal("1250.50")})["price"])
    assert 'type="text"' in html
    assert 'inputmode="decimal"' in html
    assert 'value="1250,50"' in html
    assert "step=" not in html


def test_every_decimal_of_the_tenant_admins_is_typed_in_the_users_language(rf, admin_user):
    from django.contrib import admin
    from django.db import models

    from crm.tenancy.admin import TenantScopedAdmin, TenantScopedInline

    request = rf.get("/")
    request.user = admin_user
    checked = 0
    for model_admin in admin.site._registry.values():
        if not isinstance(model_admin, TenantScopedAdmin):
            continue
        admins = [model_admin] + [
            inline(model_admin.model, admin.site)
            for inline in model_admin.inlines
            if issubclass(inline, TenantScopedInline)
        ]
        for each in admins:
            for field in each.model._meta.get_fields():
                if isinstance(field, models.DecimalField):
                    form_field = each.formfield_for_dbfield(field, request)
                    assert isinstance(form_field, LocalizedDecimalField), (each, field.name)
                    checked += 1
    assert checked > 0


def test_numbers_are_written_as_babel_writes_them():
    """format_decimal writes what babel's format_decimal wrote with the same pattern: rounding
    half to even, grouping, negative zero, long numbers, both languages."""
    import random

    from babel.numbers import format_decimal as babel_format_decimal

    generator = random.Random(7)
    values = [
        Decimal("0"),
        Decimal("-0"),
        Decimal("-0.004"),
        Decimal("0.005"),
        Decimal("0.015"),
        Decimal("999.995"),
        Decimal("1234567.895"),
        Decimal("1E+21"),
        Decimal("12.3E-7"),
        1250,
        -3.5,
        *(
            Decimal(generator.randint(-(10**14), 10**14)).scaleb(-generator.randint(0, 6))
            for _ in range(2000)
        ),
    ]
    for language in ("tr", "en"):
        for places in (0, 1, 2, 3):
            for grouping in (True, False):
                pattern = ("#,##0" if grouping else "0") + ("." + "0" * places if places else "")
                for value in values:
                    expected = babel_format_decimal(
                        Decimal(str(value)),
                        format=pattern,
                        locale=language,
                        decimal_quantization=True,
                    )
                    written = format_decimal(
                        value, places=places, grouping=grouping, language=language
                    )
                    assert written == expected, (value, language, places, grouping)
