"""Sort names bytewise whatever the database's default collation is.

name_sort_key holds code points in Turkish alphabetical order (customers/turkish.py); it only
sorts right when compared byte by byte. A database created with e.g. en_US.UTF-8 would compare
it linguistically (ignoring the punctuation codes), so the column gets COLLATE "C" itself.
Django cannot alter a generated column, so the database side is plain SQL (PostgreSQL rebuilds
the column's indexes).
"""

import django.db.models.functions.text
from django.db import migrations, models

import customers.turkish


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0003_follow_up_index"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    "ALTER TABLE customers_customer ALTER COLUMN name_sort_key "
                    'TYPE varchar(301) COLLATE "C"',
                    reverse_sql="ALTER TABLE customers_customer ALTER COLUMN name_sort_key "
                    'TYPE varchar(301) COLLATE "default"',
                ),
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="customer",
                    name="name_sort_key",
                    field=models.GeneratedField(
                        db_persist=True,
                        expression=customers.turkish.TurkishSortKey(
                            models.Case(
                                models.When(kind="company", then="company_name"),
                                default=django.db.models.functions.text.Concat(
                                    "first_name", models.Value(" "), "last_name"
                                ),
                            )
                        ),
                        output_field=models.CharField(db_collation="C", max_length=301),
                    ),
                ),
            ],
        ),
    ]
