"""teams.predicates for training and awards: admins manage training, managers see their teams,
peers nominate within their team, the team's manager chooses."""
import pytest

from teams import predicates as p
from tests.teams.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_training_predicates(org):
    assert p.can_manage_training(org["admin"]) and not p.can_manage_training(org["mgr"])
    assert p.can_take_exam(org["owner"]) and not p.can_take_exam(None)
    assert p.can_see_team_training(org["mgr"]) and not p.can_see_team_training(org["owner"])
    assert p.can_see_training_of(org["mgr"], org["owner"]) and not p.can_see_training_of(org["other_mgr"], org["owner"])
    assert p.can_compute_awards(org["mgr"]) and not p.can_compute_awards(org["owner"])


def test_award_predicates(org):
    assert p.can_nominate(org["owner"], org["teammate"])
    assert not p.can_nominate(org["owner"], org["owner"])
    assert not p.can_nominate(org["owner"], org["outsider"])
    assert not p.can_nominate(UserFactory(username="loner"), org["owner"])  # no team
    org["teammate"].is_active = False
    assert not p.can_nominate(org["owner"], org["teammate"])
    assert p.can_choose_award(org["mgr"], org["east"]) and p.can_choose_award(org["admin"], org["east"])
    assert not p.can_choose_award(org["other_mgr"], org["east"]) and not p.can_choose_award(org["owner"], org["east"])
