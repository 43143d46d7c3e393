"""crm.dates.format_date writes what Django's date_format writes, in both languages."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import formats, translation

from crm.dates import format_date

FORMAT_NAMES = [
    "DATE_FORMAT",
    "DATETIME_FORMAT",
    "SHORT_DATE_FORMAT",
    "SHORT_DATETIME_FORMAT",
    "TIME_FORMAT",
    "YEAR_MONTH_FORMAT",
    "MONTH_DAY_FORMAT",
]
ISTANBUL = ZoneInfo("Europe/Istanbul")
# Every month and weekday, midnight, noon and an afternoon (the English "P" writes "midnight",
# "noon" and "3:07 p.m.").
MOMENTS = [
    datetime(2026, 1, 1, tzinfo=ISTANBUL) + timedelta(days=31 * number + number, hours=hours)
    for number in range(12)
    for hours in (0, 12, 15.12)
]


@pytest.mark.parametrize("language", ["tr", "en"])
def test_datetimes_are_written_as_date_format_writes_them(language):
    with translation.override(language):
        for moment in MOMENTS:
            for name in FORMAT_NAMES:
                assert format_date(moment, name) == formats.date_format(moment, name), (
                    moment,
                    name,
                )


@pytest.mark.parametrize("language", ["tr", "en"])
def test_dates_are_written_as_date_format_writes_them(language):
    with translation.override(language):
        for moment in MOMENTS:
            day = moment.date()
            for name in ("DATE_FORMAT", "SHORT_DATE_FORMAT", "MONTH_DAY_FORMAT"):
                assert format_date(day, name) == formats.date_format(day, name)


def test_month_names_follow_the_language_of_each_call():
    day = date(2026, 3, 9)
    with translation.override("tr"):
        turkish = format_date(day, "DATE_FORMAT")
    with translation.override("en"):
        english = format_date(day, "DATE_FORMAT")
    assert (turkish, english) == ("09 Mart 2026", "March 9, 2026")


def test_a_time_format_for_a_date_is_refused_as_django_refuses_it():
    with translation.override("tr"), pytest.raises(TypeError):
        format_date(date(2026, 3, 9), "DATETIME_FORMAT")
