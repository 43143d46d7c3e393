"""Hooks for what happens after transactions are recorded, without `customers` importing the
apps that react (loyalty earns points, acquisition converts a lead at its first purchase).

An app registers a handler in its AppConfig.ready():

    register_transactions_recorded_handler(points_earn_on_recorded)

and is called once the recording transaction has committed, with a TransactionsRecorded event:
the ids of the transactions for a sale recorded on the customer page, or the import job's id
for a CSV import (the job may hold 100,000 rows: handlers work set-based, in SQL, with
`recorded_transactions(event)`). A handler must be idempotent: a re-imported file or a resumed
import announces the same transactions again. Keep handlers short (enqueue a task for real
work); an exception in one is logged and does not stop the others.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import QuerySet

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class TransactionsRecorded:
    tenant_id: int
    # A sale recorded on the customer page (or through a service): its ids.
    transaction_ids: tuple[int, ...] = ()
    # A CSV import of transactions that ended: its ImportJob id.
    import_job_id: int | None = None


TransactionsRecordedHandler = Callable[[TransactionsRecorded], None]

_handlers: list[TransactionsRecordedHandler] = []


def register_transactions_recorded_handler(handler: TransactionsRecordedHandler) -> None:
    if handler not in _handlers:  # ready() can run twice in some test runners
        _handlers.append(handler)


def transactions_recorded(
    *,
    tenant_id: int,
    transaction_ids: tuple[int, ...] | list[int] = (),
    import_job_id: int | None = None,
) -> None:
    """Announce recorded transactions to the handlers once the current transaction commits
    (at once outside a transaction)."""
    event = TransactionsRecorded(
        tenant_id=tenant_id, transaction_ids=tuple(transaction_ids), import_job_id=import_job_id
    )
    transaction.on_commit(lambda: _dispatch(event))


def _dispatch(event: TransactionsRecorded) -> None:
    for handler in list(_handlers):
        try:
            handler(event)
        except Exception:  # the sale is committed; one app's failure must not hide it
            logger.exception("Handler %r failed on %r", handler, event)


def recorded_transactions(event: TransactionsRecorded) -> QuerySet:
    """The event's transactions: the sale's, or the ones the import job created (in any of
    its passes, when it was resumed). Rows an import only updated, such as a status changed
    to refunded, are not in it; a handler that cares looks at the tenant's transactions by
    status."""
    from customers.models import Transaction

    transactions = Transaction.objects.filter(tenant_id=event.tenant_id)
    if event.import_job_id is None:
        return transactions.filter(pk__in=event.transaction_ids)
    return transactions.filter(import_job_id=event.import_job_id)
