"""How the headers of an uploaded file are understood: recognised, suggested, repeated."""

from __future__ import annotations

import pytest

from customers.importing.columns import (
    mapping_check,
    mapping_positions,
    match_header,
    suggest_column,
)
from customers.importing.decoding import ImportFileError
from customers.models import ImportKind

CUSTOMERS, TRANSACTIONS = ImportKind.CUSTOMERS, ImportKind.TRANSACTIONS


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("E-posta ", "email"),  # a trailing space
        ("EPOSTA", "email"),
        ("\ufeffMüşteri No", "external_id"),  # Excel's byte order mark
        ("MÜŞTERİ NO", "external_id"),  # Turkish capitals
        ("vergi numarası", "tax_number"),
        ("first_name", "first_name"),
    ],
)
def test_known_headers_are_recognised_however_written(header, field):
    [match] = match_header(CUSTOMERS, [header])

    assert match.field == field
    assert match.suggestion is None


@pytest.mark.parametrize(
    ("kind", "header", "field"),
    [
        (CUSTOMERS, "Telefon No", "phone"),  # a known name and more
        (CUSTOMERS, "E-psota", "email"),  # two letters swapped
        (CUSTOMERS, "Soyadi Bilgisi", "last_name"),
        (CUSTOMERS, "Müşteri Numarası", "external_id"),
        (TRANSACTIONS, "İşlem Tarihi Saati", "occurred_at"),
        (TRANSACTIONS, "Tutarı", "amount"),
    ],
)
def test_misspelled_headers_are_not_mapped_but_suggested(kind, header, field):
    [match] = match_header(kind, [header])

    assert match.column is None
    assert match.field == ""  # the user decides
    assert match.suggestion is not None and match.suggestion.name == field


@pytest.mark.parametrize("header", ["Favori renk", "x", "", "12345"])
def test_unrelated_headers_get_no_suggestion(header):
    assert suggest_column(CUSTOMERS, header) is None


def test_a_column_named_twice_is_left_for_the_user_to_choose():
    matches = match_header(CUSTOMERS, ["Müşteri No", "Ad", "first_name"])

    assert [match.field for match in matches] == ["external_id", "first_name", ""]
    assert matches[2].column.name == "first_name"
    assert matches[2].duplicate_of == 1


def test_upload_check_passes_when_an_unknown_header_could_be_the_missing_column():
    mapping_check(CUSTOMERS, ["Numara", "Ad"])  # "Numara" may be mapped to the external id


def test_upload_check_refuses_known_headers_without_a_required_column():
    with pytest.raises(ImportFileError, match="Required columns are missing: Müşteri No"):
        mapping_check(CUSTOMERS, ["E-posta", "Ad"])


def test_confirmed_mapping_gives_each_field_its_position():
    positions = mapping_positions(TRANSACTIONS, ["", "external_id", "customer_external_id",
                                                 "occurred_at", "amount"])  # fmt: skip

    assert positions == {
        "external_id": 1,
        "customer_external_id": 2,
        "occurred_at": 3,
        "amount": 4,
    }


@pytest.mark.parametrize(
    "mapping",
    [
        ["external_id", "first_name", "first_name"],  # a field twice
        ["first_name"],  # no external id
        ["external_id", "favourite_colour"],  # not a field
    ],
)
def test_an_invalid_confirmed_mapping_is_refused(mapping):
    with pytest.raises(ImportFileError):
        mapping_positions(CUSTOMERS, mapping)
