# Issue 14: what an imported lead's change rows cost. The owner's own index went (change_event_owner_id
# (owner, id) serves it); created_at's B-tree became a BRIN index on PostgreSQL.

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

BRIN = "integrations_changeevent_created_at_brin"


def created_at_brin(apps, schema_editor):
    """PostgreSQL: a BRIN index on created_at (appended in time order), in place of the B-tree
    AlterField removes. Other databases (SQLite in development) go without: the purge scans."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {BRIN} ON integrations_changeevent USING brin (created_at)")


def drop_created_at_brin(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {BRIN}")


class Migration(migrations.Migration):

    dependencies = [
        ('integrations', '0001_w5_integrations'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name='changeevent',
            name='created_at',
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name='created at'),
        ),
        migrations.AlterField(
            model_name='changeevent',
            name='owner',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='owner'),
        ),
        migrations.RunPython(created_at_brin, drop_created_at_brin),
    ]
