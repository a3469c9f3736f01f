"""Closing won requires the handoff checklist: a `handoff` entry criterion on every won stage, one per
required part (editable in the admin like every other criterion: deactivate a row to stop requiring it)."""
from django.db import migrations

# pipeline.handoff.DEFAULT_REQUIRED_PARTS when this migration was written (kept literal on purpose).
REQUIRED_PARTS = ("stakeholders", "success_criteria", "feasibility", "success_owner")


def install(apps, schema_editor):
    Stage = apps.get_model("pipeline", "Stage")
    GateCriterion = apps.get_model("pipeline", "GateCriterion")
    for stage in Stage.objects.filter(is_won=True):
        for part in REQUIRED_PARTS:
            GateCriterion.objects.get_or_create(stage=stage, applies_on="entry", kind="handoff", handoff_part=part)


def uninstall(apps, schema_editor):
    apps.get_model("pipeline", "GateCriterion").objects.filter(kind="handoff").delete()


class Migration(migrations.Migration):
    dependencies = [("pipeline", "0011_h7_handoff")]

    operations = [migrations.RunPython(install, uninstall)]
