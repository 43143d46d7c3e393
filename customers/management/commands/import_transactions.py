"""manage.py import_transactions --tenant <slug> file.csv — the browser import's code path."""

from __future__ import annotations

from customers.management.commands.import_customers import Command as ImportCustomersCommand
from customers.models import ImportKind


class Command(ImportCustomersCommand):
    help = "Import transactions from a CSV file into a tenant (idempotent by external id)."
    kind = ImportKind.TRANSACTIONS
