"""The expiry index leaves out pending-only entries (a purchase's earn entry): its release
carries its expiry. One index write less per earn entry of an import."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('loyalty', '0006_ledger_member_tenant_foreign_key'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='pointsentry',
            name='loyalty_entry_expiry',
        ),
        migrations.AddIndex(
            model_name='pointsentry',
            index=models.Index(condition=models.Q(('available_delta__gt', 0), ('expires_at__isnull', False)), fields=['tenant', 'expires_at'], name='loyalty_entry_expiry_available'),
        ),
    ]
