"""Money typed the Turkish way on "record a sale": read in the user's language, never 100×."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django_scopes import scopes_disabled

from customers.forms import TransactionForm
from customers.models import Transaction


def _sale(**overrides):
    data = {
        "sale-occurred_at": "2026-03-01T10:30",
        "sale-amount": "1250,50",
        "sale-currency": "TRY",
        "sale-quantity": "1",
        "sale-status": "completed",
    }
    return {**data, **overrides}


def _record_sale(client, customer, data, language="tr"):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    url = reverse(
        "customers:record_sale",
        kwargs={"tenant_slug": customer.tenant.slug, "customer_id": customer.pk},
    )
    return client.post(url, data, HTTP_HX_REQUEST="true")


def _stored_amounts(customer):
    with scopes_disabled():
        return list(Transaction.objects.filter(customer=customer).values_list("amount", "cost"))


@pytest.mark.parametrize("typed", ["1250,50", "1.250,50", "1250.50"])
def test_turkish_amount_is_stored_as_typed_and_repeated_in_the_confirmation(
    sales_client, customer, typed
):
    response = _record_sale(sales_client, customer, _sale(**{"sale-amount": typed}))
    assert _stored_amounts(customer) == [(Decimal("1250.50"), None)]
    assert "1.250,50\u00a0₺ tutarında satış kaydedildi." in response.content.decode()


def test_cost_and_quantity_are_read_the_same_way(sales_client, customer):
    _record_sale(sales_client, customer, _sale(**{"sale-cost": "999,9", "sale-quantity": "2,5"}))
    with scopes_disabled():
        sale = Transaction.objects.get(customer=customer)
    assert (sale.amount, sale.cost, sale.quantity) == (
        Decimal("1250.50"),
        Decimal("999.90"),
        Decimal("2.500"),
    )


def test_english_confirmation_repeats_the_amount(sales_client, customer):
    response = _record_sale(
        sales_client, customer, _sale(**{"sale-amount": "1,250.50"}), language="en"
    )
    assert "Sale of 1,250.50\u00a0₺ recorded." in response.content.decode()


def test_ambiguous_amount_is_refused_and_nothing_is_saved(sales_client, customer):
    response = _record_sale(sales_client, customer, _sale(**{"sale-amount": "1.250"}))
    assert _stored_amounts(customer) == []
    assert response.context["form"].errors["amount"] == [
        "“1.250” iki türlü okunabilir: 1250 ya da 1,25. Hangisini kastediyorsanız binlik "
        "ayırıcı olmadan yazın."
    ]


def test_negative_amount_is_still_refused(sales_client, customer):
    response = _record_sale(sales_client, customer, _sale(**{"sale-amount": "-5,5"}), language="en")
    assert _stored_amounts(customer) == []
    assert response.context["form"].errors["amount"] == ["The amount cannot be negative."]


def test_sale_form_uses_text_inputs_with_the_decimal_keypad(tenant_scope, tenant):
    with translation.override("tr"):
        html = str(TransactionForm(prefix="sale", tenant=tenant)["amount"])
    assert 'type="text"' in html and 'inputmode="decimal"' in html
