"""Reading Turkish spreadsheet values: numbers, dates, yes/no, headers, delimiters."""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from customers.importing.columns import header_key, map_header
from customers.importing.decoding import ImportFileError, detect_delimiter, inspect_file
from customers.importing.parsing import (
    clean_cell,
    parse_bool,
    parse_date,
    parse_datetime,
    parse_decimal,
)
from customers.models import ImportKind


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1234.56", "1234.56"),
        ("1234,56", "1234.56"),
        ("1.234,56", "1234.56"),
        ("1,234.56", "1234.56"),
        ("1.234.567", "1234567"),
        ("1 234,56", "1234.56"),
        ("₺1.234,56", "1234.56"),
        ("1.234,56 TL", "1234.56"),
        ("0", "0"),
        ("-5,5", "-5.5"),
    ],
)
def test_parse_decimal_reads_turkish_and_international_numbers(text, expected):
    assert parse_decimal(text) == Decimal(expected)


@pytest.mark.parametrize("text", ["abc", "1,2,3.4.5x", "NaN", "Infinity"])
def test_parse_decimal_rejects_non_numbers(text):
    with pytest.raises(ValueError):
        parse_decimal(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("15.03.2024", date(2024, 3, 15)),
        ("5.3.2024", date(2024, 3, 5)),
        ("15/03/2024", date(2024, 3, 15)),
        ("2024-03-15", date(2024, 3, 15)),
        ("15.03.2024 00:00", date(2024, 3, 15)),
    ],
)
def test_parse_date(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    "text", ["31.02.2024", "2024/03/15", "15.03.24", "yarın", "15.03.2024 14:30"]
)
def test_parse_date_rejects_bad_dates(text):
    with pytest.raises(ValueError):
        parse_date(text)


def test_parse_datetime_is_local_time_in_the_tenant_zone():
    istanbul = ZoneInfo("Europe/Istanbul")

    value = parse_datetime("15.03.2024 14:30", istanbul)

    assert value == datetime(2024, 3, 15, 11, 30, tzinfo=ZoneInfo("UTC"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Evet", True), ("EVET", True), ("hayır", False), ("HAYIR", False), ("yes", True),
     ("0", False), ("x", True)],
)  # fmt: skip
def test_parse_bool_in_turkish_and_english(text, expected):
    assert parse_bool(text) is expected


def test_clean_cell_strips_our_own_formula_guard_only():
    assert clean_cell(" '+905321234567 ") == "+905321234567"
    assert clean_cell("'quoted'") == "'quoted'"


def test_headers_match_turkish_correctly():
    assert header_key("E-POSTA") == header_key("e-posta") == header_key("eposta")
    assert header_key("İL") == header_key("il")
    assert header_key("VERGİ NO") == header_key("vergi no")
    positions = map_header(ImportKind.CUSTOMERS, ["MÜŞTERİ NO", "E-Posta", "Telefon", "Şube"])
    assert positions == {"external_id": 0, "email": 1, "phone": 2}


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("a,b,c\r\n", ","),
        ("a;b;c\n", ";"),
        ("a\tb\tc\n", "\t"),
        ("tek\n", ","),
        ('"Ad, Soyad";E-posta\n', ";"),
    ],
)
def test_detect_delimiter(line, expected):
    assert detect_delimiter(line) == expected


def test_inspect_counts_data_rows_and_skips_blank_lines():
    file_format = inspect_file(io.BytesIO(b"\nexternal_id;ad\n\nM1;Ali\n;\nM2;Veli\n"))

    assert (file_format.delimiter, file_format.total_rows) == (";", 2)
    assert file_format.header == ["external_id", "ad"]


def test_inspect_refuses_nul_bytes():
    with pytest.raises(ImportFileError, match="binary"):
        inspect_file(io.BytesIO(b"external_id\nM1\x00\n"))


@pytest.mark.parametrize("text", ["1.234", "1,234", "12.500 TL"])
def test_parse_decimal_refuses_a_cell_that_reads_two_ways(text):
    # The forms' rule (crm.decimals): 1.234 could be 1234 or 1.234, so the row is rejected.
    with pytest.raises(ValueError, match="can be read two ways"):
        parse_decimal(text)
