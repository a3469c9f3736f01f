"""The named action rules added for customers, teams and leads (teams.predicates)."""
import pytest

from customers.models import Contact, Activity
from teams import predicates as p
from tests.customers.factories import AccountFactory

pytestmark = pytest.mark.django_db


def test_owns_or_manages_is_the_one_record_form_of_the_change_scope(org):
    owner = org["owner"]
    assert [p.owns_or_manages(u, owner) for u in (org["owner"], org["mgr"], org["admin"])] == [True, True, True]
    assert [p.owns_or_manages(u, owner) for u in (org["teammate"], org["other_mgr"], org["marketing"])] == [
        False, False, False]
    assert not p.owns_or_manages(org["owner"], None)
    org["mgr"].is_active = False
    assert not p.owns_or_manages(org["mgr"], owner)


def test_deleting_contacts_and_activities(org):
    account = AccountFactory(owner=org["owner"])
    contact = Contact(account=account)
    assert [p.can_delete_contact(u, contact) for u in (org["owner"], org["mgr"], org["outsider"], org["admin"])] == [
        True, True, False, True]
    logged_by_outsider = Activity(account=account, owner=org["outsider"])
    assert [p.can_delete_activity(u, logged_by_outsider) for u in (org["owner"], org["other_mgr"], org["admin"])] \
        == [False, True, True]
    assert not p.can_delete_account(org["owner"], account) and p.can_delete_account(org["admin"], account)


def test_who_may_lead_a_team_and_manage_the_organisation(org):
    assert [p.may_lead_team(u) for u in (org["mgr"], org["admin"], org["owner"], org["marketing"])] == [
        True, True, False, False]
    assert [p.can_manage_organisation(u) for u in (org["admin"], org["mgr"])] == [True, False]


def test_marketing_works_on_every_lead_for_nurture_and_events(org):
    for rule in (p.can_enroll_any_lead_in_nurture, p.can_record_events_for_any_lead, p.can_create_leads_from_events,
                 p.can_manage_nurture, p.can_manage_scoring):
        assert [rule(u) for u in (org["marketing"], org["admin"], org["mgr"], org["owner"])] == [
            True, True, False, False], rule.__name__
    assert [p.can_backtest_scoring(u) for u in (org["marketing"], org["mgr"], org["owner"])] == [True, True, False]
