"""The ledger refuses UPDATE and DELETE (corrections are new entries)."""

from django.db import migrations

from loyalty.sql import APPEND_ONLY_TRIGGER, DROP_APPEND_ONLY_TRIGGER


class Migration(migrations.Migration):
    dependencies = [("loyalty", "0001_initial")]

    operations = [migrations.RunSQL(APPEND_ONLY_TRIGGER, DROP_APPEND_ONLY_TRIGGER)]
