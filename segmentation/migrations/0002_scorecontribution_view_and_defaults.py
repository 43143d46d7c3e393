"""The ScoreContribution view (CustomerScore's arrays unfolded with the latest run's weights),
CustomerScore's fillfactor, and the default value keys and tiers for tenants that existed
before this app."""

from django.db import migrations

from segmentation.defaults import DEFAULT_TIERS, DEFAULT_VALUE_KEYS

CREATE_VIEW = """
CREATE VIEW segmentation_scorecontribution AS
SELECT (cs.customer_id * 1000 + k.ord)::bigint AS id,
       cs.tenant_id,
       cs.customer_id,
       r.id AS run_id,
       (k.item ->> 'value_key')::bigint AS value_key_id,
       k.ord::smallint AS position,
       k.item ->> 'metric' AS metric,
       (k.item ->> 'weight')::numeric(6, 2) AS weight,
       cs.raw_values[k.ord] AS raw_value,
       cs.normalised_values[k.ord] AS normalised_value,
       cs.contributions[k.ord] AS contribution
FROM segmentation_customerscore cs
CROSS JOIN LATERAL (
    -- Unchanged rows are not rewritten by a run, so every row is read with the latest
    -- succeeded run's keys (its arrays are identical under it).
    SELECT r.id, r.weights
    FROM segmentation_scorerun r
    WHERE r.tenant_id = cs.tenant_id AND r.status = 'succeeded'
    ORDER BY r.finished_at DESC, r.id DESC
    LIMIT 1
) r
CROSS JOIN LATERAL jsonb_array_elements(r.weights) WITH ORDINALITY AS k(item, ord)
"""


def defaults_for_existing_tenants(apps, schema_editor):
    Tenant = apps.get_model("crm", "Tenant")
    ValueKey = apps.get_model("segmentation", "ValueKey")
    Tier = apps.get_model("segmentation", "Tier")
    for tenant in Tenant.objects.all():
        if not ValueKey.objects.filter(tenant=tenant).exists():
            ValueKey.objects.bulk_create(
                ValueKey(tenant=tenant, order=index * 10, **values)
                for index, values in enumerate(DEFAULT_VALUE_KEYS, start=1)
            )
        if not Tier.objects.filter(tenant=tenant).exists():
            Tier.objects.bulk_create(Tier(tenant=tenant, **values) for values in DEFAULT_TIERS)


class Migration(migrations.Migration):
    dependencies = [("segmentation", "0001_initial")]

    operations = [
        migrations.RunSQL(CREATE_VIEW, "DROP VIEW IF EXISTS segmentation_scorecontribution"),
        # Room on every page for the new version of each row: nightly updates stay HOT.
        migrations.RunSQL(
            "ALTER TABLE segmentation_customerscore SET (fillfactor = 50)",
            "ALTER TABLE segmentation_customerscore RESET (fillfactor)",
        ),
        migrations.RunPython(defaults_for_existing_tenants, migrations.RunPython.noop),
    ]
