"""Provinces and regions."""

import pytest

from customers.regions import PROVINCES, canonical_province, region_for_city


def test_turkey_has_81_provinces():
    assert len(PROVINCES) == 81


@pytest.mark.parametrize("city", ["İstanbul", "istanbul", "ISTANBUL", " Istanbul "])
def test_istanbul_is_in_marmara_however_typed(city):
    assert region_for_city(city) == "Marmara"


@pytest.mark.parametrize(
    ("city", "region"),
    [
        ("İzmir", "Ege"),
        ("Antalya", "Akdeniz"),
        ("Ankara", "İç Anadolu"),
        ("Çankırı", "İç Anadolu"),
        ("Trabzon", "Karadeniz"),
        ("Iğdır", "Doğu Anadolu"),
        ("ığdır", "Doğu Anadolu"),
        ("Şanlıurfa", "Güneydoğu Anadolu"),
        ("sanliurfa", "Güneydoğu Anadolu"),
    ],
)
def test_province_maps_to_its_region(city, region):
    assert region_for_city(city) == region


@pytest.mark.parametrize("city", ["Berlin", "", "Atlantis"])
def test_foreign_or_unknown_city_has_no_region(city):
    assert region_for_city(city) == ""


def test_every_region_has_its_number_of_provinces():
    counts: dict[str, int] = {}
    for province in PROVINCES:
        counts[region_for_city(province)] = counts.get(region_for_city(province), 0) + 1
    assert counts == {
        "Marmara": 11,
        "Ege": 8,
        "Akdeniz": 8,
        "İç Anadolu": 13,
        "Karadeniz": 18,
        "Doğu Anadolu": 14,
        "Güneydoğu Anadolu": 9,
    }


def test_province_typed_any_way_gets_its_official_spelling():
    assert canonical_province("izmir") == "İzmir"
    assert canonical_province("Berlin") == "Berlin"
