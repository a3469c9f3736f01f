# Each ledger entry carries the stay it ends (pipeline.services.ledger): time in stage reads one column.

import django.db.models.deletion
from django.db import migrations, models

# pipeline.services.ledger.BACKFILL_SQL as of this migration (a migration does not import app code)
BACKFILL_SQL = """
UPDATE pipeline_stagetransition t SET stay_stage_id = s.stage, stay_days = s.days
FROM (SELECT id, LAG(to_stage_id) OVER w AS stage,
             EXTRACT(EPOCH FROM ("at" - LAG("at") OVER w)) / 86400.0 AS days
      FROM pipeline_stagetransition WHERE opportunity_id IS NOT NULL
      WINDOW w AS (PARTITION BY opportunity_id ORDER BY "at", id)) s
WHERE s.id = t.id AND (t.stay_stage_id, t.stay_days) IS DISTINCT FROM (s.stage, s.days)
"""


def backfill(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKFILL_SQL)
        return
    StageTransition = apps.get_model("pipeline", "StageTransition")
    previous = {}
    for pk, deal, stage, at in (StageTransition.objects.filter(opportunity__isnull=False)
                                .order_by("opportunity_id", "at", "id")
                                .values_list("pk", "opportunity_id", "to_stage_id", "at").iterator()):
        if deal in previous:
            stay_stage, since = previous[deal]
            StageTransition.objects.filter(pk=pk).update(stay_stage_id=stay_stage,
                                                         stay_days=(at - since).total_seconds() / 86400)
        previous[deal] = (stage, at)


class Migration(migrations.Migration):

    dependencies = [
        ('pipeline', '0012_h7_handoff_gate'),
    ]

    operations = [
        migrations.AddField(
            model_name='stagetransition',
            name='stay_days',
            field=models.FloatField(blank=True, null=True, verbose_name='days in the stage left'),
        ),
        migrations.AddField(
            model_name='stagetransition',
            name='stay_stage',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT,
                                    related_name='+', to='pipeline.stage', verbose_name='stage left'),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name='stagetransition',
            index=models.Index(condition=models.Q(('stay_stage__isnull', False)), fields=['at'],
                               include=('stay_stage', 'stay_days', 'opportunity'), name='transition_stays'),
        ),
    ]
