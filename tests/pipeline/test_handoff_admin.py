"""The handoff in the admin: read-only rows; the feasibility action goes through the service."""
import pytest

from pipeline import services
from pipeline.models import GateCriterion, Handoff

from .factories import make_opportunity

pytestmark = pytest.mark.django_db
LIST = "/admin/pipeline/handoff/"


def test_handoffs_are_read_only_and_confirmed_through_the_service(client, org):
    opp = make_opportunity(owner=org["owner"])
    handoff = services.handoff_update(opportunity=opp, by=org["owner"], target_30="Pilot live")
    client.force_login(org["admin"])
    assert client.get(f"{LIST}{handoff.pk}/change/").status_code == 200  # viewable
    assert client.post(f"{LIST}{handoff.pk}/change/", {"target_30": "edited"}).status_code == 403
    assert client.get(f"{LIST}{handoff.pk}/delete/").status_code == 403
    assert client.get(f"{LIST}add/").status_code == 403
    response = client.post(LIST, {"action": "confirm_feasibility", "_selected_action": [handoff.pk]}, follow=True)
    assert response.status_code == 200
    handoff.refresh_from_db()
    assert handoff.target_30 == "Pilot live" and handoff.feasibility_confirmed_by == org["admin"]
    assert handoff.version == 3


def test_a_handoff_criterion_needs_its_part():
    from django.core.exceptions import ValidationError

    from pipeline.models import Stage
    criterion = GateCriterion(stage=Stage.objects.get(code="closed_won"), applies_on="entry", kind="handoff")
    with pytest.raises(ValidationError) as error:
        criterion.full_clean()
    assert "handoff_part" in error.value.message_dict
    criterion.handoff_part = "feasibility"
    criterion.full_clean()
    assert criterion.target == "feasibility" and "Product feasibility confirmed" in str(criterion)


def test_the_stages_api_lists_the_handoff_criteria(api, org, handoff_gate):
    response = api.as_user(org["owner"]).get("/api/v1/stages/")
    won = next(s for s in response.json() if s["code"] == "closed_won")
    assert {c["target"] for c in won["criteria"] if c["kind"] == "handoff"} == {
        "stakeholders", "success_criteria", "feasibility", "success_owner"}
    assert Handoff.objects.count() == 0
