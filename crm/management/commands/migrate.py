"""`migrate` as the tables' owner (the app itself works as the row-level security role)."""

from django.core.management.commands.migrate import Command as MigrateCommand

from crm.management.owner import AsOwner


class Command(AsOwner, MigrateCommand):
    pass
