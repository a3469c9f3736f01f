"""Follows customers.Interaction → customers.Activity: the deal link and the gate criterion's
"any interaction" record (stored as 'interaction', now 'activity') are renamed."""
from django.db import migrations


def rename_record(apps, schema_editor, old="interaction", new="activity"):
    apps.get_model("pipeline", "GateCriterion").objects.filter(record=old).update(record=new)


def rename_record_back(apps, schema_editor):
    rename_record(apps, schema_editor, old="activity", new="interaction")


class Migration(migrations.Migration):

    dependencies = [
        ("pipeline", "0008_h15_transition_at_index"),
        ("customers", "0004_interaction_becomes_activity"),
    ]

    operations = [
        migrations.RenameModel("OpportunityInteraction", "OpportunityActivity"),
        migrations.RenameField("opportunityactivity", "interaction", "activity"),
        migrations.RunPython(rename_record, rename_record_back),
    ]
