"""`migrate` as the tables' owner (the app itself works as the row-level security role)."""

from typing import Any

from django.core.management.commands.migrate import Command as MigrateCommand

from crm.rls import owner_mode


class Command(MigrateCommand):
    def execute(self, *args: Any, **options: Any) -> Any:
        with owner_mode():
            return super().execute(*args, **options)
