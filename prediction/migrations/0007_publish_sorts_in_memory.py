"""prediction_live_publish builds the leaf's three indexes with 256 MB to sort in, not the
server's default 64 MB: at 1,000,000 predictions each sort spilled to disk (index builds
of a copy of the leaf, under load: 12.1 s at 64 MB against 9.9 s at 256 MB). The setting
lasts for the function's call only."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("prediction", "0006_live_predictions_partitioned"),
    ]

    operations = [
        migrations.RunSQL(
            "ALTER FUNCTION prediction_live_publish(bigint, bigint) "
            "SET maintenance_work_mem = '256MB'",
            "ALTER FUNCTION prediction_live_publish(bigint, bigint) RESET maintenance_work_mem",
        )
    ]
