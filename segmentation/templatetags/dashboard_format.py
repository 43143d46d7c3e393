"""Numbers on the dashboard in the reader's language: 1.234,56 ₺ and %12,5 in Turkish,
1,234.56 ₺ and 12.5% in English."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.template.defaultfilters import floatformat
from django.utils.translation import get_language

register = template.Library()


def _turkish() -> bool:
    return not (get_language() or "tr").startswith("en")


@register.filter
def money(value: Decimal | int | None) -> str:
    if value is None:
        return "—"
    return f"{floatformat(value, '2g')} ₺"


@register.filter
def percent(value: Decimal | int | None, digits: int = 1) -> str:
    if value is None:
        return "—"
    number = floatformat(value, f"{digits}g")
    return f"%{number}" if _turkish() else f"{number}%"


@register.filter
def count(value: int | None) -> str:
    if value is None:
        return "—"
    return floatformat(value, "0g")


@register.filter
def signed(value: Decimal | int | None, kind: str = "count") -> str:
    """A change with its sign, in the figure's own format (percent changes in points)."""
    if value is None:
        return "—"
    sign = "+" if value > 0 else ("−" if value < 0 else "±")
    magnitude = abs(value)
    if kind == "money":
        text = money(magnitude)
    elif kind == "percent":
        text = percent(magnitude)
    elif kind == "score":
        text = floatformat(magnitude, "2g")
    else:
        text = count(magnitude)
    return f"{sign}{text}"


@register.filter
def figure(value: Decimal | int | None, kind: str = "count") -> str:
    if kind == "money":
        return money(value)
    if kind == "percent":
        return percent(value)
    if kind == "score":
        return "—" if value is None else floatformat(value, "2g")
    return count(value)


@register.filter
def get_item(mapping: dict, key: str):
    return mapping.get(key, "")
