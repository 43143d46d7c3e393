"""`makemigrations` as the tables' owner: its history check connects before any `migrate` has
created the row-level security role."""

from django.core.management.commands.makemigrations import Command as MakemigrationsCommand

from crm.management.owner import AsOwner


class Command(AsOwner, MakemigrationsCommand):
    pass
