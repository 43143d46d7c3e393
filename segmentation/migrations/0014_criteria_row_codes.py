"""The segment criteria rows' choice columns (status, class, growth band, kind, lifecycle stage,
acquisition channel) as small codes instead of text: the live count's broad criteria scan every
row (issue 9: "stage + kind + tags + last purchase" read 213 MB at a million customers, 309 ms
quiet against a 300 ms target), and six 2-byte codes are ~35 bytes narrower than their text.

A code is the value's position in its list below (from 1), 0 for a value outside it (no
criterion can choose one), NULL for NULL. The lists are frozen here, as the triggers that encode
them are; segmentation.models.CRITERIA_CODES must stay equal to them (a test says so), and a
new choice needs a migration that re-encodes.

The column types change in one rewrite of the table (which also leaves it compact); the
customers' and the facts' trigger functions are replaced to write codes.
"""

from importlib import import_module

from django.db import migrations, models

CODES = {
    "status": ("active", "inactive", "prospect"),
    "customer_class": ("most_important", "fastest_growing", "current", "potential", "other"),
    "growth_band": (
        "new",
        "falling_fast",
        "falling",
        "steady",
        "growing",
        "growing_fast",
        "none",
    ),
    "kind": ("person", "company"),
    "lifecycle_stage": (
        "prospect",
        "new",
        "active",
        "at_risk",
        "lapsed",
        "won_back",
        "terminated",
    ),
    "acquisition_channel": (
        "referral",
        "web",
        "social",
        "advertising",
        "field_sales",
        "store",
        "event",
        "partner",
        "other",
    ),
}


def code(column: str, expression: str) -> str:
    """As segmentation.sql.criteria_code_sql, with the lists frozen above."""
    listed = ", ".join(f"'{choice}'" for choice in CODES[column])
    return (
        f"(CASE WHEN {expression} IS NULL THEN NULL ELSE coalesce(array_position("
        f"ARRAY[{listed}]::text[], {expression}::text), 0) END)::smallint"
    )


def text(column: str, expression: str) -> str:
    """A code back to its text (the reverse migration); 0 becomes ''."""
    listed = ", ".join(f"'{choice}'" for choice in CODES[column])
    return (
        f"CASE WHEN {expression} IS NULL THEN NULL "
        f"ELSE coalesce((ARRAY[{listed}]::text[])[{expression}], '') END"
    )


CUSTOMER_COLUMNS = (
    "archived, consent_email, consent_sms, consent_phone, kind, lifecycle_stage, "
    "acquisition_channel, region, city, industry, tags"
)
CUSTOMER_VALUES = (
    f"n.archived_at IS NOT NULL, n.consent_email, n.consent_sms, n.consent_phone, "
    f"{code('kind', 'n.kind')}, {code('lifecycle_stage', 'n.lifecycle_stage')}, "
    f"{code('acquisition_channel', 'n.acquisition_channel')}, n.region, n.city, n.industry, "
    f"nullif(n.tags, '{{}}')"
)
CUSTOMER_ROW_COLUMNS = (
    "r.archived, r.consent_email, r.consent_sms, r.consent_phone, r.kind, r.lifecycle_stage, "
    "r.acquisition_channel, r.region, r.city, r.industry, r.tags"
)
FACTS_COLUMNS = "status, tier_id, customer_class, growth_band, revenue, last_purchase_at, category_ids"
FACTS_VALUES = (
    f"{code('status', 'NEW.status')}, NEW.tier_id, "
    f"{code('customer_class', 'NEW.customer_class')}, {code('growth_band', 'NEW.growth_band')}, "
    f"NEW.revenue, NEW.last_purchase_at, nullif(NEW.category_ids, '{{}}')"
)

FUNCTIONS = f"""
CREATE OR REPLACE FUNCTION segmentation_criteria_customers_insert() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO segmentation_criteriarow (tenant_id, customer_id, {CUSTOMER_COLUMNS})
    SELECT n.tenant_id, n.id, {CUSTOMER_VALUES}
    FROM new_customers n;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION segmentation_criteria_customers_update() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE segmentation_criteriarow r
    SET ({CUSTOMER_COLUMNS}) = ({CUSTOMER_VALUES})
    FROM new_customers n
    WHERE r.customer_id = n.id
      AND ({CUSTOMER_ROW_COLUMNS}) IS DISTINCT FROM ({CUSTOMER_VALUES});
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION segmentation_criteria_facts_write() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE segmentation_criteriarow r
    SET ({FACTS_COLUMNS}) = ({FACTS_VALUES})
    WHERE r.customer_id = NEW.customer_id;
    RETURN NULL;
END $$;
"""

# The facts' columns are NULL while a customer has no facts; the customers' never are.
FACTS_CODES = {"status", "customer_class", "growth_band"}
# Their varchar lengths before (the reverse migration).
TEXT_LENGTHS = {
    "status": 10,
    "customer_class": 16,
    "growth_band": 12,
    "kind": 10,
    "lifecycle_stage": 20,
    "acquisition_channel": 20,
}
TO_CODES = "ALTER TABLE segmentation_criteriarow " + ", ".join(
    f"ALTER COLUMN {column} TYPE smallint USING {code(column, column)}" for column in CODES
)
TO_TEXT = "ALTER TABLE segmentation_criteriarow " + ", ".join(
    f"ALTER COLUMN {column} TYPE varchar({TEXT_LENGTHS[column]}) USING {text(column, column)}"
    for column in CODES
)


def functions_restore(apps, schema_editor):
    """Back to migration 0013's text-writing trigger functions."""
    previous = import_module("segmentation.migrations.0013_criteria_rows")
    schema_editor.execute(previous.FUNCTIONS_DROP)
    schema_editor.execute(previous.FUNCTIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("segmentation", "0013_criteria_rows"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="criteriarow",
                    name=column,
                    field=models.SmallIntegerField(null=column in FACTS_CODES),
                )
                for column in CODES
            ],
            database_operations=[migrations.RunSQL(TO_CODES, TO_TEXT)],
        ),
        migrations.RunPython(migrations.RunPython.noop, functions_restore),
        migrations.RunSQL(FUNCTIONS, migrations.RunSQL.noop),
        migrations.RunSQL("ANALYZE segmentation_criteriarow", migrations.RunSQL.noop),
    ]
