"""`{% load money %}`: amounts shown the way the user's language writes them.

{{ sale.amount|money }}                 1.250,50 ₺ (Turkish), 1,250.50 ₺ (English)
{{ sale.amount|money:sale.currency }}   1.250,50 € for EUR
{{ share|decimal:1 }}                   12,5
"""

from __future__ import annotations

from decimal import Decimal

from django import template

from crm.decimals import format_decimal, format_money

register = template.Library()


@register.filter(name="money")
def money_filter(value: Decimal | int | float | None, currency: str = "TRY") -> str:
    return format_money(value, currency=currency)


@register.filter(name="decimal")
def decimal_filter(value: Decimal | int | float | None, places: int = 2) -> str:
    return format_decimal(value, places=int(places))
