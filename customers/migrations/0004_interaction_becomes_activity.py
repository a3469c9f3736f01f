"""The interaction log becomes the activity timeline (ARCHITECTURE.md names it customers.Activity):
the table and its indexes are renamed, no row changes."""
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("customers", "0003_h4_interaction_without_opportunity"),
        ("pipeline", "0008_h15_transition_at_index"),
    ]

    operations = [
        migrations.RenameModel("Interaction", "Activity"),
        migrations.RenameIndex(model_name="activity", new_name="activity_account", old_name="interaction_account"),
        migrations.RenameIndex(model_name="activity", new_name="activity_owner", old_name="interaction_owner"),
        migrations.AlterModelOptions(name="activity", options={
            "ordering": ["-occurred_at", "-id"], "verbose_name": "activity", "verbose_name_plural": "activities"}),
    ]
