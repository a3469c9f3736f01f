"""Extended statistics on the deals' (owner, stage) pairs (PostgreSQL only).

The planner takes owner and stage as independent: for a manager's board column it expected an eighth of
the stage's deals to be the team's and walked the stage's close-date index (`opp_stage_close`) to find
25 of them. When the team had none in that stage it read every entry of the stage: 23 ms per column at
1M deals (bench/pages.py, two columns of the manager's board). With the pairs' most common values
(MCV, up to 1,000 pairs) it knows the team's share of each stage and reads the owner index instead
(0.8 ms); the stages where the team has deals keep the close-date walk (0.1 ms).

The cost: with a statistics target of 1,000 (enough for every pair of a few hundred reps), ANALYZE of the
table samples 300,000 rows instead of 30,000 — 4.3-5.2 s at 1M deals instead of 0.45 s, run by
autovacuum in the background after every tenth of the table changes, and once by this migration."""
from django.db import migrations

STATISTICS = "pipeline_opportunity_owner_stage"


def create_statistics(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"CREATE STATISTICS IF NOT EXISTS {STATISTICS} (mcv) ON owner_id, stage_id"
                       " FROM pipeline_opportunity")
        cursor.execute(f"ALTER STATISTICS {STATISTICS} SET STATISTICS 1000")
        cursor.execute("ANALYZE pipeline_opportunity")  # filled now, not at autovacuum's next visit


def drop_statistics(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(f"DROP STATISTICS IF EXISTS {STATISTICS}")


class Migration(migrations.Migration):
    dependencies = [("pipeline", "0021_board_tally")]

    operations = [migrations.RunPython(create_statistics, drop_statistics)]
