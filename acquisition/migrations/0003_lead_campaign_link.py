"""The lead's campaign becomes a link to the company's campaign (campaigns.Campaign, objective
acquisition), and so does an acquisition cost's; the free text stays as the lead's source
detail.

Existing data: a lead's or a cost's campaign text that names exactly one acquisition campaign
of the same company (case and outer spaces aside) is linked to it (the lead's text is then
dropped, as the link says it); any other text stays as the lead's source detail. A cost whose
text names no campaign joins the channel's cost of that month outside any campaign, its text
and amount written in the note, so the channel's total stays what it was. The nightly
summaries are emptied (they are rewritten from the leads the next night; the report says so
until then).
"""

import django.db.models.deletion
from django.db import migrations, models

from acquisition.sql import CAMPAIGN_SAME_TENANT_TRIGGER, DROP_CAMPAIGN_SAME_TENANT_TRIGGER

# The acquisition campaigns per company and folded name, with how many share the name.
CAMPAIGN_NAMES = """
    SELECT tenant_id, lower(btrim(name)) AS name, min(id) AS id, count(*) AS campaigns
    FROM campaigns_campaign
    WHERE objective = 'acquisition'
    GROUP BY tenant_id, lower(btrim(name))
"""

# Foreign keys are checked at once, not at commit: a pending deferred check would forbid the
# ALTER TABLEs that follow in this migration's transaction.
LINK_LEADS = f"""
SET CONSTRAINTS ALL IMMEDIATE;
UPDATE acquisition_lead l
SET campaign_id = c.id, source_detail = ''
FROM ({CAMPAIGN_NAMES}) c
WHERE c.campaigns = 1 AND c.tenant_id = l.tenant_id AND c.name = lower(btrim(l.source_detail))
  AND l.source_detail <> ''
"""

LINK_COSTS = f"""
SET CONSTRAINTS ALL IMMEDIATE;
UPDATE acquisition_acquisitioncost a
SET campaign_id = c.id
FROM ({CAMPAIGN_NAMES}) c
WHERE c.campaigns = 1 AND c.tenant_id = a.tenant_id AND c.name = lower(btrim(a.campaign_name))
  AND a.campaign_name <> ''
"""

# A cost whose text names no campaign keeps the text in its note ...
NOTE_UNLINKED_COSTS = """
UPDATE acquisition_acquisitioncost
SET note = left(concat_ws(' · ', campaign_name || ': ' || amount::text, nullif(note, '')), 255)
WHERE campaign_name <> '' AND campaign_id IS NULL
"""

# ... and the costs that now share (company, month, channel, campaign) become one: amounts
# added, notes joined, the oldest row kept.
MERGE_COSTS = """
WITH groups AS (
    SELECT min(id) AS keep, sum(amount) AS amount,
           left(string_agg(nullif(note, ''), '; ' ORDER BY id), 255) AS note,
           array_agg(id) AS ids
    FROM acquisition_acquisitioncost
    GROUP BY tenant_id, month, channel, campaign_id
    HAVING count(*) > 1
),
dropped AS (
    DELETE FROM acquisition_acquisitioncost a
    USING groups g
    WHERE a.id = ANY (g.ids) AND a.id <> g.keep
)
UPDATE acquisition_acquisitioncost a
SET amount = g.amount, note = coalesce(g.note, '')
FROM groups g
WHERE a.id = g.keep
"""

EMPTY_SUMMARIES = """
DELETE FROM acquisition_valuesummary;
DELETE FROM acquisition_cohortsummary;
DELETE FROM acquisition_summaryrun;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("acquisition", "0002_owner_board_indexes"),
        ("campaigns", "0002_loyalty_offers"),
    ]

    operations = [
        migrations.RunSQL(EMPTY_SUMMARIES, migrations.RunSQL.noop),
        # The lead: the text becomes the source detail, the campaign a link.
        migrations.RenameField("lead", "campaign", "source_detail"),
        migrations.AlterField(
            model_name="lead",
            name="source_detail",
            field=models.CharField(
                blank=True,
                help_text="Which fair, referrer, advert or list, in your team's words.",
                max_length=100,
                verbose_name="source detail",
            ),
        ),
        migrations.AddField(
            model_name="lead",
            name="campaign",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="leads",
                to="campaigns.campaign",
                verbose_name="campaign",
            ),
        ),
        migrations.RunSQL(LINK_LEADS, migrations.RunSQL.noop),
        # The cost: linked where the text names a campaign, folded into the channel otherwise.
        migrations.RemoveConstraint(
            model_name="acquisitioncost", name="acquisition_cost_one_per_month"
        ),
        migrations.RenameField("acquisitioncost", "campaign", "campaign_name"),
        migrations.AddField(
            model_name="acquisitioncost",
            name="campaign",
            field=models.ForeignKey(
                blank=True,
                help_text="Leave empty for the channel's cost outside any campaign.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="campaigns.campaign",
                verbose_name="campaign",
            ),
        ),
        migrations.RunSQL(LINK_COSTS, migrations.RunSQL.noop),
        migrations.RunSQL(NOTE_UNLINKED_COSTS, migrations.RunSQL.noop),
        migrations.RunSQL(MERGE_COSTS, migrations.RunSQL.noop),
        migrations.RemoveField("acquisitioncost", "campaign_name"),
        migrations.AddConstraint(
            model_name="acquisitioncost",
            constraint=models.UniqueConstraint(
                fields=("tenant", "month", "channel", "campaign"),
                name="acquisition_cost_one_per_month",
                nulls_distinct=False,
            ),
        ),
        migrations.RunSQL(CAMPAIGN_SAME_TENANT_TRIGGER, DROP_CAMPAIGN_SAME_TENANT_TRIGGER),
        # The summaries: by campaign link.
        migrations.RemoveConstraint(model_name="cohortsummary", name="cohort_summary_unique"),
        migrations.RemoveConstraint(model_name="valuesummary", name="value_summary_unique"),
        migrations.RemoveField("cohortsummary", "campaign"),
        migrations.RemoveField("valuesummary", "campaign"),
        migrations.AddField(
            model_name="cohortsummary",
            name="campaign",
            field=models.ForeignKey(
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="campaigns.campaign",
            ),
        ),
        migrations.AddField(
            model_name="valuesummary",
            name="campaign",
            field=models.ForeignKey(
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="campaigns.campaign",
            ),
        ),
        migrations.AddConstraint(
            model_name="cohortsummary",
            constraint=models.UniqueConstraint(
                fields=("run", "month", "channel", "campaign"),
                name="cohort_summary_unique",
                nulls_distinct=False,
            ),
        ),
        migrations.AddConstraint(
            model_name="valuesummary",
            constraint=models.UniqueConstraint(
                fields=("run", "month", "channel", "campaign", "horizon_months"),
                name="value_summary_unique",
                nulls_distinct=False,
            ),
        ),
        migrations.CreateModel(
            name="CampaignCostSummary",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("month", models.DateField()),
                ("messages", models.PositiveIntegerField(default=0)),
                ("amount", models.DecimalField(decimal_places=2, default=0, max_digits=18)),
                (
                    "campaign",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="campaigns.campaign",
                    ),
                ),
                (
                    "run",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="campaign_costs",
                        to="acquisition.summaryrun",
                    ),
                ),
                (
                    "tenant",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="crm.tenant",
                        verbose_name="tenant",
                    ),
                ),
            ],
            options={
                "verbose_name": "acquisition campaign cost",
                "verbose_name_plural": "acquisition campaign costs",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("run", "month", "campaign"), name="campaign_cost_summary_unique"
                    )
                ],
            },
        ),
    ]
