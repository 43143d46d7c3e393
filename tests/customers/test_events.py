"""The transactions-recorded hook: handlers hear of a sale or an import once it committed."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import transaction

from customers import events
from customers.events import recorded_transactions, register_transactions_recorded_handler
from customers.models import ImportKind, Transaction
from customers.services import transaction_record
from tests.customers.import_support import english, media_root, run_import  # noqa: F401
from tests.factories import CustomerFactory, TransactionFactory


@pytest.fixture
def heard(monkeypatch):
    """A handler that records the events (and the transactions they name) it is given."""
    received: list[tuple[events.TransactionsRecorded, list[str]]] = []

    def handler(event):
        ids = sorted(recorded_transactions(event).values_list("external_id", flat=True))
        received.append((event, ids))

    monkeypatch.setattr(events, "_handlers", [])
    register_transactions_recorded_handler(handler)
    register_transactions_recorded_handler(handler)  # registering twice counts once
    return received


@pytest.mark.django_db(transaction=True)
def test_a_recorded_sale_is_announced_after_commit_with_its_id(tenant_scope, heard):
    customer = CustomerFactory(tenant=tenant_scope)

    sale = transaction_record(
        tenant=tenant_scope, actor=None, customer=customer, amount=Decimal("10"), external_id="T1"
    )

    assert heard == [
        (events.TransactionsRecorded(tenant_id=tenant_scope.pk, transaction_ids=(sale.pk,)), ["T1"])
    ]


@pytest.mark.django_db(transaction=True)
def test_a_sale_rolled_back_is_not_announced(tenant_scope, heard):
    customer = CustomerFactory(tenant=tenant_scope)

    with pytest.raises(RuntimeError), transaction.atomic():
        transaction_record(tenant=tenant_scope, actor=None, customer=customer, amount=Decimal("1"))
        raise RuntimeError("the caller's transaction fails after the sale")

    assert heard == []
    assert not Transaction.objects.exists()


@pytest.mark.usefixtures("media_root", "english")
def test_an_import_is_announced_with_its_job_and_its_new_transactions(
    tenant_scope, heard, tmp_path, django_capture_on_commit_callbacks
):
    customer = CustomerFactory(tenant=tenant_scope, external_id="M1")
    TransactionFactory(customer=customer, external_id="OLD")
    content = "İşlem No;Müşteri No;Tarih;Tutar\nS1;M1;15.03.2024;10,00\n"

    with django_capture_on_commit_callbacks(execute=True):
        job = run_import(tenant_scope, ImportKind.TRANSACTIONS, content.encode(), tmp_path)

    assert heard == [
        (events.TransactionsRecorded(tenant_id=tenant_scope.pk, import_job_id=job.pk), ["S1"])
    ]
    assert Transaction.objects.count() == 2


@pytest.mark.usefixtures("media_root", "english")
def test_a_customer_import_is_not_announced(tenant_scope, heard, tmp_path):
    run_import(tenant_scope, ImportKind.CUSTOMERS, b"external_id,first_name\nM1,Ayse\n", tmp_path)

    assert heard == []


def test_a_failing_handler_does_not_stop_the_others(tenant_scope, monkeypatch):
    calls = []

    def broken(event):
        raise RuntimeError("boom")

    monkeypatch.setattr(events, "_handlers", [broken, calls.append])
    events._dispatch(events.TransactionsRecorded(tenant_id=tenant_scope.pk))

    assert len(calls) == 1
