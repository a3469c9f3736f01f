"""pipeline/0022: PostgreSQL knows how the deals' owners spread over the stages (extended statistics),
so a board column of a scope with no deal in a big stage is read by the owner index, not by walking the
stage (bench/pages.py: 23 ms -> 0.8 ms per such column at 1M deals)."""
import json

import pytest
from django.db import connection

from pipeline.models import Opportunity, Stage

from .factories import make_opportunity

pytestmark = [pytest.mark.django_db,
              pytest.mark.skipif(connection.vendor != "postgresql", reason="extended statistics are PostgreSQL's")]


def estimated_rows(sql: str, params) -> int:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0]
    plan = plan if isinstance(plan, list) else json.loads(plan)
    node = plan[0]["Plan"]
    while node.get("Plans") and node["Node Type"] in ("Limit", "Sort", "Incremental Sort"):
        node = node["Plans"][0]
    return node["Plan Rows"]


def test_the_planner_knows_a_scope_has_no_deal_in_a_stage(org):
    busy, idle = org["owner"], org["outsider"]
    first, later = Stage.objects.order_by("order")[:2]
    template = make_opportunity(owner=busy, name="template")
    columns = [f.column for f in Opportunity._meta.concrete_fields if f.column != "id"]
    copied = ", ".join("%s" if column in ("owner_id", "stage_id") else f'"{column}"' for column in columns)
    with connection.cursor() as cursor:
        # busy owns 3,000 deals in the first stage, idle 3,000 in another: each owner is common, but idle has
        # none in the first stage
        for owner, stage_id in ((busy, first.pk), (idle, later.pk)):
            params = [owner.pk if column == "owner_id" else stage_id for column in columns
                      if column in ("owner_id", "stage_id")]
            cursor.execute(f"INSERT INTO pipeline_opportunity ({', '.join(chr(34) + c + chr(34) for c in columns)})"
                           f" SELECT {copied} FROM pipeline_opportunity, generate_series(1, 3000) g WHERE id = %s",
                           [*params, template.pk])
        cursor.execute("ANALYZE pipeline_opportunity")
        cursor.execute("SELECT stxkind FROM pg_statistic_ext WHERE stxname = 'pipeline_opportunity_owner_stage'")
        assert cursor.fetchone() == (["m"],)
    assert Opportunity.objects.filter(owner=idle, stage=first).count() == 0
    guess = estimated_rows("SELECT id FROM pipeline_opportunity WHERE owner_id = ANY(%s) AND stage_id = %s"
                           " ORDER BY expected_close_date NULLS LAST, id LIMIT 25", [[idle.pk], first.pk])
    assert guess <= 5  # with owner and stage taken as independent: about half of the stage's 3,000
