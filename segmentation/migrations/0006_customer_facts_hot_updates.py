"""The dashboard's facts: room on every page for the new version of each row, so that the
recompute's update of (nearly) every customer's facts stays HOT, as the scores' does (0002);
and a facts row for every scored customer, so that the recompute adds facts for exactly the
customers new to the scores (segmentation/sql/dashboard_facts_insert.sql). The rows added here
are placeholders the next recompute rewrites.

The fillfactor applies to pages written from now on; a large existing table gets it everywhere
with `VACUUM FULL segmentation_customerfacts` (it locks the table while it runs)."""

from django.db import migrations

FACTS_FOR_EVERY_SCORE = """
INSERT INTO segmentation_customerfacts
       (tenant_id, customer_id, run_id, status, tier_id, score, revenue, margin, growth_revenue,
        previous_revenue, growth_percent, growth_band, customer_class, last_purchase_at,
        category_ids)
SELECT s.tenant_id, s.customer_id, s.run_id, s.status, s.tier_id, s.score, 0, 0, 0, 0, NULL,
       'none', 'other', NULL, '{}'
FROM segmentation_customerscore s
WHERE NOT EXISTS (
    SELECT 1 FROM segmentation_customerfacts f WHERE f.customer_id = s.customer_id
)
"""


class Migration(migrations.Migration):
    dependencies = [("segmentation", "0005_segment_extra_criteria")]

    operations = [
        migrations.RunSQL(
            "ALTER TABLE segmentation_customerfacts SET (fillfactor = 50)",
            "ALTER TABLE segmentation_customerfacts RESET (fillfactor)",
        ),
        migrations.RunSQL(FACTS_FOR_EVERY_SCORE, migrations.RunSQL.noop),
    ]
