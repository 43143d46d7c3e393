"""`showmigrations` as the tables' owner: it reads the migration history, also before any
`migrate` has created the row-level security role."""

from django.core.management.commands.showmigrations import Command as ShowmigrationsCommand

from crm.management.owner import AsOwner


class Command(AsOwner, ShowmigrationsCommand):
    pass
