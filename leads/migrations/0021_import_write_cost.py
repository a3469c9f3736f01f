# Issue 14: the write cost of an imported lead. Score history and assignment audit rows (append-only
# logs: lead, rep, assigner, rule set) and a lead's rule set keep their references without constraints in
# the database (Django applies on_delete; writers hold what they name); indexes nobody reads went
# (lead_owner_created, twin of lead_owner_created_kpis; the lead index of score changes, covered by
# score_change_lead; the assignment columns only a deletion reads are indexed only where set), and
# lead_external_ref holds only leads that have a reference.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('leads', '0020_w4_rescore_chunks'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='lead',
            name='lead_owner_created',
        ),
        migrations.RemoveIndex(
            model_name='lead',
            name='lead_external_ref',
        ),
        migrations.AlterField(
            model_name='assignment',
            name='assigned_by',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='assigned by'),
        ),
        migrations.AlterField(
            model_name='assignment',
            name='lead',
            field=models.ForeignKey(db_constraint=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='assignments', to='leads.lead', verbose_name='lead'),
        ),
        migrations.AlterField(
            model_name='assignment',
            name='previous_owner',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='previous owner'),
        ),
        migrations.AlterField(
            model_name='assignment',
            name='rep',
            field=models.ForeignKey(blank=True, db_constraint=False, help_text="Empty: the lead went to the managers' queue.", null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='lead_assignments', to=settings.AUTH_USER_MODEL, verbose_name='rep'),
        ),
        migrations.AlterField(
            model_name='assignment',
            name='rule',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, to='leads.routingrule', verbose_name='routing rule'),
        ),
        migrations.AlterField(
            model_name='lead',
            name='scored_with',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='leads.ruleset', verbose_name='scored with'),
        ),
        migrations.AlterField(
            model_name='scorechange',
            name='lead',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='score_changes', to='leads.lead', verbose_name='lead'),
        ),
        migrations.AlterField(
            model_name='scorechange',
            name='rule_set',
            field=models.ForeignKey(db_constraint=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='leads.ruleset', verbose_name='rule set'),
        ),
        migrations.AddIndex(
            model_name='assignment',
            index=models.Index(condition=models.Q(('previous_owner__isnull', False)), fields=['previous_owner'], name='assignment_previous_owner'),
        ),
        migrations.AddIndex(
            model_name='assignment',
            index=models.Index(condition=models.Q(('assigned_by__isnull', False)), fields=['assigned_by'], name='assignment_assigned_by'),
        ),
        migrations.AddIndex(
            model_name='assignment',
            index=models.Index(condition=models.Q(('rule__isnull', False)), fields=['rule'], name='assignment_rule'),
        ),
        migrations.AddIndex(
            model_name='lead',
            index=models.Index(condition=models.Q(('external_ref', ''), _negated=True), fields=['external_ref'], name='lead_external_ref'),
        ),
    ]
