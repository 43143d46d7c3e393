"""Turkey's 81 provinces and the 7 geographic regions they belong to.

The province list comes from django-localflavor; the region of each province follows the
1941 Coğrafya Kongresi division used by TÜİK and schoolbooks. Matching is Turkish-correct
(customers.turkish.fold), so "istanbul", "ISTANBUL" and "İstanbul" are the same province.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from localflavor.tr.tr_provinces import PROVINCE_CHOICES

from customers.turkish import fold, sort_key

MARMARA = "Marmara"
EGE = "Ege"
AKDENIZ = "Akdeniz"
IC_ANADOLU = "İç Anadolu"
KARADENIZ = "Karadeniz"
DOGU_ANADOLU = "Doğu Anadolu"
GUNEYDOGU_ANADOLU = "Güneydoğu Anadolu"

# Stored values are the Turkish proper names (what users type and import); labels translate.
REGION_CHOICES: list[tuple[str, object]] = [
    (MARMARA, _("Marmara")),
    (EGE, _("Aegean (Ege)")),
    (AKDENIZ, _("Mediterranean (Akdeniz)")),
    (IC_ANADOLU, _("Central Anatolia (İç Anadolu)")),
    (KARADENIZ, _("Black Sea (Karadeniz)")),
    (DOGU_ANADOLU, _("Eastern Anatolia (Doğu Anadolu)")),
    (GUNEYDOGU_ANADOLU, _("Southeastern Anatolia (Güneydoğu Anadolu)")),
]

# Plate code -> region.
_REGION_BY_PLATE: dict[str, str] = {}
for _region, _plates in {
    MARMARA: "10 11 16 17 22 34 39 41 54 59 77",
    EGE: "03 09 20 35 43 45 48 64",
    AKDENIZ: "01 07 15 31 32 33 46 80",
    IC_ANADOLU: "06 26 38 40 42 50 51 58 66 68 70 71 18",
    KARADENIZ: "05 08 14 19 28 29 37 52 53 55 57 60 61 67 69 74 78 81",
    DOGU_ANADOLU: "04 12 13 23 24 25 30 36 44 49 62 65 75 76",
    GUNEYDOGU_ANADOLU: "02 21 27 47 56 63 72 73 79",
}.items():
    for _plate in _plates.split():
        _REGION_BY_PLATE[_plate] = _region

PROVINCES: list[str] = sorted((name for _code, name in PROVINCE_CHOICES), key=sort_key)

_REGION_BY_FOLDED_PROVINCE: dict[str, str] = {
    fold(name): _REGION_BY_PLATE[code] for code, name in PROVINCE_CHOICES
}
# Names people commonly write for a province besides its official one.
_REGION_BY_FOLDED_PROVINCE.update(
    {
        "icel": AKDENIZ,  # Mersin's old name
        "afyon": EGE,
        "maras": AKDENIZ,
        "k.maras": AKDENIZ,
        "urfa": GUNEYDOGU_ANADOLU,
        "antep": GUNEYDOGU_ANADOLU,
        "hakkari": DOGU_ANADOLU,
    }
)

_CANONICAL_BY_FOLDED: dict[str, str] = {fold(name): name for name in PROVINCES}


def region_for_city(city: str) -> str:
    """The geographic region of a Turkish province, or "" for a foreign or unknown city."""
    return _REGION_BY_FOLDED_PROVINCE.get(fold((city or "").strip()), "")


def canonical_province(city: str) -> str:
    """The official spelling of a province typed any way ("izmir" -> "İzmir"); else unchanged."""
    cleaned = (city or "").strip()
    return _CANONICAL_BY_FOLDED.get(fold(cleaned), cleaned)
