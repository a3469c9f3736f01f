"""The lead write services: row lock + version, named status transitions, owner changes through the
assignment service, audited deletion (issue 7)."""
import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from leads.models import Assignment, Lead, LeadAudit
from leads.services import (
    lead_create, lead_delete, lead_disqualify, lead_nurture, lead_qualify, lead_update, leads_delete,
)
from leads.services.routing import lead_touch, leads_route
from salesops.errors import VersionConflict
from teams.models import Notification
from tests.leads.factories import LeadFactory

pytestmark = pytest.mark.django_db


class TestLeadUpdateConcurrency:
    def test_it_writes_only_the_fields_given_and_bumps_the_version(self, org):
        lead = LeadFactory(owner=org["owner"], phone="1", company="Old Co")
        stale = Lead.objects.get(pk=lead.pk)
        Lead.objects.filter(pk=lead.pk).update(company="New Co")  # someone else's write
        updated = lead_update(lead=stale, by=org["owner"], phone="2")
        lead.refresh_from_db()
        assert (lead.phone, lead.company, lead.version) == ("2", "New Co", 2)
        assert updated.version == 2

    def test_a_stale_version_is_a_conflict_and_changes_nothing(self, org):
        lead = LeadFactory(owner=org["owner"], phone="1")
        lead_update(lead=lead, by=org["owner"], phone="2", expected_version=1)
        with pytest.raises(VersionConflict) as caught:
            lead_update(lead=lead, by=org["owner"], phone="3", expected_version=1)
        assert caught.value.current_version == 2
        assert "changed by someone else" in caught.value.messages[0]
        lead.refresh_from_db()
        assert (lead.phone, lead.version) == ("2", 2)

    def test_an_unchanged_save_does_not_bump_the_version(self, org):
        lead = LeadFactory(owner=org["owner"], phone="1")
        lead_update(lead=lead, by=org["owner"], phone="1")
        lead.refresh_from_db()
        assert lead.version == 1

    def test_the_assignment_after_a_stale_read_is_not_lost(self, org):
        lead = LeadFactory(owner=org["owner"])
        stale = Lead.objects.get(pk=lead.pk)
        from leads.services.routing import lead_assign
        lead_assign(lead=lead, rep=org["teammate"], by=org["mgr"])
        lead_update(lead=stale, by=org["mgr"], phone="555")
        lead.refresh_from_db()
        assert (lead.owner, lead.phone) == (org["teammate"], "555")


class TestStatusIsNotEditable:
    @pytest.mark.parametrize("status", ["converted", "new", "qualified"])
    def test_update_refuses_a_status_and_names_the_rule(self, org, status):
        lead = LeadFactory(owner=org["owner"], status="working")
        with pytest.raises(ValidationError) as caught:
            lead_update(lead=lead, by=org["owner"], status=status)
        assert "only through its actions" in caught.value.message_dict["status"][0]
        lead.refresh_from_db()
        assert lead.status == "working"


class TestTransitions:
    def test_qualify_nurture_and_disqualify_are_audited(self, org):
        lead = LeadFactory(owner=org["owner"])
        lead_qualify(lead=lead, by=org["owner"])
        lead_nurture(lead=lead, by=org["mgr"])
        lead = lead_disqualify(lead=lead, by=org["owner"], reason="  No budget  ")
        assert (lead.status, lead.disqualified_reason, lead.version) == ("disqualified", "No budget", 4)
        audits = list(LeadAudit.objects.filter(lead_id=lead.pk).order_by("pk").values_list("action", "by", "reason"))
        assert audits == [("qualified", org["owner"].pk, ""), ("nurturing", org["mgr"].pk, ""),
                          ("disqualified", org["owner"].pk, "No budget")]

    def test_disqualify_needs_a_reason(self, org):
        lead = LeadFactory(owner=org["owner"])
        with pytest.raises(ValidationError) as caught:
            lead_disqualify(lead=lead, by=org["owner"], reason=" ")
        assert "reason" in caught.value.message_dict
        lead.refresh_from_db()
        assert lead.status == "new" and not LeadAudit.objects.exists()

    @pytest.mark.parametrize("status", ["converted", "disqualified"])
    def test_closed_leads_do_not_move(self, org, status):
        lead = LeadFactory(owner=org["owner"], status=status)
        with pytest.raises(ValidationError) as caught:
            lead_qualify(lead=lead, by=org["owner"])
        assert "cannot become" in caught.value.message_dict["status"][0]

    def test_outsiders_cannot_move_a_lead(self, org):
        lead = LeadFactory(owner=org["owner"])
        for user in (org["outsider"], org["other_mgr"], org["teammate"], org["marketing"]):
            with pytest.raises(PermissionDenied):
                lead_qualify(lead=lead, by=user)
        lead.refresh_from_db()
        assert lead.status == "new"

    def test_a_transition_with_a_stale_version_conflicts(self, org):
        lead = LeadFactory(owner=org["owner"])
        lead_update(lead=lead, by=org["owner"], phone="9")
        with pytest.raises(VersionConflict):
            lead_qualify(lead=lead, by=org["owner"], expected_version=1)
        lead.refresh_from_db()
        assert lead.status == "new"

    def test_touch_moves_new_to_working_and_bumps_the_version(self, org):
        lead = LeadFactory(owner=org["owner"])
        lead = lead_touch(lead=lead, by=org["owner"])
        assert (lead.status, lead.version) == ("working", 2)


class TestOwnerChanges:
    def test_a_manager_changing_the_owner_is_an_assignment(self, org):
        lead = LeadFactory(owner=org["owner"], first_touched_at=None)
        lead_update(lead=lead, by=org["mgr"], owner=org["teammate"], phone="7")
        lead.refresh_from_db()
        assert (lead.owner, lead.phone) == (org["teammate"], "7")
        assert lead.first_touch_due_at is not None and lead.assigned_at is not None
        row = Assignment.objects.get(lead=lead)
        assert (row.rep, row.previous_owner, row.assigned_by) == (org["teammate"], org["owner"], org["mgr"])
        assert Notification.objects.filter(recipient=org["teammate"], kind="lead_assigned").count() == 1
        assert Notification.objects.filter(recipient=org["owner"], kind="lead_reassigned").count() == 1

    def test_a_rep_cannot_empty_the_owner_of_their_lead(self, org):
        lead = LeadFactory(owner=org["owner"])
        with pytest.raises(ValidationError) as caught:
            lead_update(lead=lead, by=org["owner"], owner=None)
        assert "pool" in caught.value.message_dict["owner"][0]
        lead.refresh_from_db()
        assert lead.owner == org["owner"] and not Assignment.objects.exists()

    def test_a_manager_cannot_give_a_lead_to_another_team(self, org):
        lead = LeadFactory(owner=org["owner"])
        with pytest.raises(ValidationError) as caught:
            lead_update(lead=lead, by=org["mgr"], owner=org["outsider"])
        assert "owner" in caught.value.message_dict
        assert not Assignment.objects.exists()

    def test_creating_a_lead_as_a_rep_makes_them_owner_with_an_assignment_row(self, org):
        lead = lead_create(by=org["owner"], name="Mine", email="mine@example.com")
        assert lead.owner == org["owner"] and lead.first_touch_due_at is not None
        row = Assignment.objects.get(lead=lead)
        assert (row.rep, row.assigned_by, row.previous_owner) == (org["owner"], org["owner"], None)
        assert "new lead" in row.reason
        assert not Notification.objects.filter(recipient=org["owner"]).exists()  # no note to oneself

    def test_creating_a_lead_for_a_team_member_notifies_them(self, org):
        lead = lead_create(by=org["mgr"], name="Theirs", owner=org["teammate"])
        assert Assignment.objects.get(lead=lead).rep == org["teammate"]
        assert Notification.objects.filter(recipient=org["teammate"], kind="lead_assigned").count() == 1

    def test_a_rep_cannot_create_a_lead_for_someone_else(self, org):
        with pytest.raises(ValidationError):
            lead_create(by=org["owner"], name="Theirs", owner=org["teammate"])
        assert not Lead.objects.exists()

    def test_an_unowned_new_lead_writes_no_assignment(self, org):
        lead = lead_create(by=org["marketing"], name="Web form", owner=None)
        assert lead.owner is None and not Assignment.objects.exists()

    def test_a_lead_marketing_created_is_still_routed_at_the_top_grade(self, org):
        lead = lead_create(by=org["marketing"], name="Web form")
        assert Assignment.objects.get(lead=lead).assigned_by == org["marketing"]
        routed = leads_route(lead_ids=[lead.pk])
        assert [row.lead_id for row in routed] == [lead.pk] and routed[0].assigned_by is None
        assert leads_route(lead_ids=[lead.pk]) == []  # routed once


class TestDelete:
    def test_an_admin_deletes_with_an_audit_entry_and_the_assignments_stay(self, org):
        lead = lead_create(by=org["owner"], name="Gone", email="gone@example.com")
        entry = lead_delete(lead=lead, by=org["admin"], reason="duplicate")
        assert not Lead.objects.filter(pk=lead.pk).exists()
        assert (entry.action, entry.lead_id, entry.by, entry.reason) == ("deleted", lead.pk, org["admin"], "duplicate")
        assert entry.details["email"] == "gone@example.com" and "Gone" in entry.lead_repr
        assert Assignment.objects.filter(lead__isnull=True, rep=org["owner"]).count() == 1

    @pytest.mark.parametrize("who", ["owner", "mgr", "marketing"])
    def test_others_may_not_delete(self, org, who):
        lead = LeadFactory(owner=org["owner"])
        with pytest.raises(PermissionDenied):
            lead_delete(lead=lead, by=org[who])
        assert Lead.objects.filter(pk=lead.pk).exists() and not LeadAudit.objects.exists()

    def test_bulk_delete_writes_one_entry_per_lead(self, org):
        leads = LeadFactory.create_batch(3, owner=org["owner"])
        entries = leads_delete(lead_ids=[lead.pk for lead in leads], by=org["admin"])
        assert len(entries) == 3 and LeadAudit.objects.filter(action="deleted").count() == 3
        assert not Lead.objects.exists()


class TestBulkOwners:
    def test_imported_owners_get_rows_an_sla_and_one_notification_each(self, org):
        from leads.services.routing import leads_record_owners
        mine = LeadFactory.create_batch(2, owner=org["owner"], assigned_at=None)
        theirs = LeadFactory(owner=org["teammate"])
        unowned = LeadFactory(owner=None)
        written = leads_record_owners(lead_ids=[lead.pk for lead in [*mine, theirs, unowned]], by=org["mgr"],
                                      note="imported")
        assert written == 3
        assert Assignment.objects.filter(assigned_by=org["mgr"], rep=org["owner"]).count() == 2
        assert Assignment.objects.get(rep=org["teammate"]).reason.endswith(": imported")
        assert not Lead.objects.filter(pk__in=[lead.pk for lead in mine], first_touch_due_at__isnull=True).exists()
        note = Notification.objects.get(recipient=org["owner"], kind="leads_assigned")
        assert note.params["count"] == 2
        assert Lead.objects.get(pk=unowned.pk).version == 1
