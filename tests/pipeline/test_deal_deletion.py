"""Issue 7: deleting a deal never deletes its stage ledger. The rows stay with the deal emptied and its id
(and name) kept; from then on they count in no figure, as if the deal had never existed."""
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.admin.models import DELETION, LogEntry
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from pipeline import services
from pipeline.models import Opportunity, StageTransition, StageWinRate
from pipeline.selectors import metrics, stage_stay_days, stage_timing

from .factories import make_opportunity
from .test_metrics import deal

pytestmark = pytest.mark.django_db
ADMIN = "/admin/pipeline/"


def figures():
    """Every figure that reads the ledger (funnel, conversion, stage timing / stall percentiles, the
    learnt win rates and the model probability they give open deals) plus the forecast."""
    today = timezone.localdate()
    start = today - timedelta(days=90)
    services.forecast_model_recompute(min_samples=1)
    return {
        "funnel": metrics.funnel_figures(queryset=Opportunity.objects.all(), start=start, end=today),
        "forecast": metrics.forecast_figures(queryset=Opportunity.objects.all(), start=start,
                                             end=today + timedelta(days=90)),
        "stays": {stage: sorted(round(d, 6) for d in days) for stage, days in stage_stay_days().items()},
        "timing": [(r["stage"].code, r["stays"], r["p50"], r["p90"]) for r in stage_timing()],
        "rates": set(StageWinRate.objects.values_list("team_id", "stage__code", "closed_deals", "won_deals",
                                                      "probability")),
        "model": set(Opportunity.objects.values_list("pk", "model_probability")),
    }


@pytest.fixture
def kept(org):
    """The deals that stay: won, lost and open ones of two teams."""
    deal(org["owner"], code="closed_won", amount="3000", created=50, moved=10,
         via=("needs_confirmed", "solution_demo", "negotiation"))
    deal(org["teammate"], code="closed_lost", amount="500", created=45, moved=5)
    deal(org["outsider"], code="closed_won", amount="7000", created=40, moved=6)
    deal(org["owner"], code="solution_demo", created=30, moved=3)
    make_opportunity(owner=org["teammate"], expected_close_date=timezone.localdate() + timedelta(days=10))
    return org


def doomed(org):
    """Deals created, moved through stages (ledger rows interleaved with the kept deals') and then deleted."""
    return [
        deal(org["owner"], code="closed_won", amount="90000", created=48, moved=4,
             via=("needs_confirmed", "solution_demo", "negotiation")),
        deal(org["teammate"], code="closed_lost", amount="800", created=35, moved=2),
        deal(org["outsider"], code="negotiation", amount="1200", created=20, moved=1),
    ]


def test_deleting_a_deal_keeps_its_ledger_rows_with_the_deals_id_and_name(org):
    opp = deal(org["owner"], code="closed_lost", created=20, moved=2)
    other = make_opportunity(owner=org["owner"])
    ids = sorted(opp.transitions.values_list("pk", flat=True))
    services.opportunity_delete(opportunity=opp, by=org["admin"])
    assert not Opportunity.objects.filter(pk=opp.pk).exists()
    rows = StageTransition.objects.filter(pk__in=ids).order_by("at", "id")
    assert [(t.opportunity_id, t.opportunity_ref, t.opportunity_name, t.to_stage.code) for t in rows] == [
        (None, opp.pk, opp.name, "lead_identified"), (None, opp.pk, opp.name, "needs_confirmed"),
        (None, opp.pk, opp.name, "closed_lost")]
    assert all(t.is_orphaned for t in rows)
    entry = LogEntry.objects.get(object_id=str(opp.pk), action_flag=DELETION)
    assert entry.user == org["admin"] and f"Its 3 stage ledger rows are kept (deal id {opp.pk})" in entry.change_message
    live = other.transitions.get()  # another deal's ledger is untouched
    assert (live.opportunity_ref, live.opportunity_name) == (other.pk, "")


def test_the_ledger_ref_is_always_the_deal_while_it_exists(org):
    opp = make_opportunity(owner=org["owner"])
    assert not StageTransition.objects.filter(opportunity__isnull=False).exclude(opportunity_ref=F("opportunity"))
    with pytest.raises(IntegrityError), transaction.atomic():
        StageTransition.objects.filter(opportunity=opp).update(opportunity_ref=opp.pk + 1000)


def test_the_figures_equal_those_of_a_database_where_the_deleted_deals_never_existed(kept):
    org = kept
    never_existed = figures()
    gone = doomed(org)
    while_they_lived = figures()
    assert while_they_lived["funnel"] != never_existed["funnel"]  # the doomed deals counted while alive
    assert while_they_lived["stays"] != never_existed["stays"]
    for opp in gone:
        services.opportunity_delete(opportunity=opp, by=org["admin"])
    assert StageTransition.objects.filter(opportunity__isnull=True).count() == 11  # 5 + 3 + 3 rows kept
    assert figures() == never_existed


def test_an_orphaned_ledger_row_is_read_only_in_the_admin(admin_client, org):
    opp = make_opportunity(owner=org["owner"], name="Dropped deal")
    entry = opp.transitions.get()
    response = admin_client.post(f"{ADMIN}opportunity/{opp.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302 and not Opportunity.objects.filter(pk=opp.pk).exists()
    listing = admin_client.get(f"{ADMIN}stagetransition/", {"deal_deleted": "yes"}).content.decode()
    assert f"Deleted deal #{opp.pk} “Dropped deal”" in listing
    url = f"{ADMIN}stagetransition/{entry.pk}/"
    assert admin_client.get(f"{url}change/").status_code == 200  # viewable
    assert admin_client.get(f"{url}delete/").status_code == 403
    assert admin_client.post(f"{url}change/", {"reason": "edited"}).status_code == 403
    entry.refresh_from_db()
    assert (entry.opportunity_id, entry.opportunity_ref, entry.reason) == (None, opp.pk, "")
    still_listed = admin_client.get(f"{ADMIN}stagetransition/", {"deal_deleted": "no"}).content.decode()
    assert "Dropped deal" not in still_listed


def test_refused_deletion_keeps_everything(org):
    opp = make_opportunity(owner=org["owner"], amount=Decimal("10"))
    with pytest.raises(Exception) as refused:
        services.opportunity_delete(opportunity=opp, by=org["mgr"])
    assert "close them as lost" in str(refused.value)
    assert Opportunity.objects.filter(pk=opp.pk).exists()
    assert StageTransition.objects.filter(opportunity=opp, opportunity_name="").count() == 1
