"""Recording a sale in a real browser: money typed the Turkish way is stored as typed."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from customers.models import Transaction
from tests.browser.conftest import sign_in
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_sales_rep_types_a_turkish_amount_and_it_is_stored_as_typed(
    page, live_server, tenant, sales_user, console_errors
):
    customer = CustomerFactory(tenant=tenant, first_name="Ayşe", last_name="Yılmaz")
    sign_in(page, live_server, sales_user, language="tr")
    page.goto(
        live_server.url
        + reverse(
            "customers:detail", kwargs={"tenant_slug": tenant.slug, "customer_id": customer.pk}
        )
    )
    page.get_by_role("tab", name="Satış kaydet").click()
    form = page.locator("#quick-sale")
    amount = form.get_by_label("Tutar")
    amount.click()
    amount.press_sequentially("1250,50")  # key by key, as a rep types it
    form.get_by_role("button", name="Satış kaydet").click()
    confirmation = page.locator("#quick-sale [role=status]")
    confirmation.wait_for()
    assert confirmation.inner_text() == "1.250,50\u00a0₺ tutarında satış kaydedildi."
    with scopes_disabled():
        assert list(Transaction.objects.values_list("amount", flat=True)) == [Decimal("1250.50")]
    assert console_errors == []
