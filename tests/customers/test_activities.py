"""Activities on leads, accounts and contacts: who may log and read them, and the 24-hour rule's
refusals (customers.services.activity_log / activity_update, customers.selectors.activity_queryset_for)."""
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from customers import services
from customers.models import Activity
from customers.selectors import activity_is_late, activity_queryset_for
from teams.models import User
from tests.leads.factories import LeadFactory
from tests.teams.factories import UserFactory

from .factories import AccountFactory, ActivityFactory, ContactFactory

pytestmark = pytest.mark.django_db


def ago(**delta):
    return timezone.now() - timedelta(**delta)


class TestLogging:
    def test_a_rep_logs_a_call_on_their_lead_without_an_account(self, org):
        lead = LeadFactory(owner=org["owner"])
        call = services.activity_log(by=org["owner"], lead=lead, kind="call", summary="Intro call")
        assert (call.lead_id, call.account_id, call.owner_id) == (lead.pk, None, org["owner"].pk)
        assert abs(call.occurred_at - timezone.now()) < timedelta(seconds=5)  # "when" defaults to now

    def test_the_leads_visibility_decides_who_may_log_on_it(self, org):
        lead = LeadFactory(owner=org["owner"])
        services.activity_log(by=org["mgr"], lead=lead, kind="note", summary="Manager's note")
        for stranger in (org["teammate"], org["outsider"]):
            with pytest.raises(ValidationError) as refused:
                services.activity_log(by=stranger, lead=lead, kind="call", summary="x")
            assert "lead" in refused.value.message_dict
        assert Activity.objects.count() == 1

    def test_an_activity_is_on_an_account_or_a_lead_never_both_nor_neither(self, org):
        account, lead = AccountFactory(owner=org["owner"]), LeadFactory(owner=org["owner"])
        for subject in ({}, {"account": account, "lead": lead}):
            with pytest.raises(ValidationError):
                services.activity_log(by=org["owner"], kind="call", summary="x", **subject)
        assert not Activity.objects.exists()

    def test_a_contact_belongs_to_the_activitys_account(self, org):
        account, lead = AccountFactory(owner=org["owner"]), LeadFactory(owner=org["owner"])
        other = ContactFactory(account=AccountFactory(owner=org["owner"]))
        with pytest.raises(ValidationError):
            services.activity_log(by=org["owner"], account=account, contact=other, kind="call", summary="x")
        with pytest.raises(ValidationError):
            services.activity_log(by=org["owner"], lead=lead, contact=other, kind="call", summary="x")
        mine = ContactFactory(account=account)
        assert services.activity_log(by=org["owner"], account=account, contact=mine, kind="call",
                                     summary="x").contact == mine

    def test_support_and_product_read_but_never_log(self, org):
        account = AccountFactory(owner=org["owner"])
        ActivityFactory(account=account, owner=org["owner"])
        for role in (User.Role.SUPPORT, User.Role.PRODUCT):
            reader = UserFactory(role=role)
            with pytest.raises(PermissionDenied):
                services.activity_log(by=reader, account=account, kind="call", summary="x")
            assert activity_queryset_for(user=reader).count() == 1
        assert Activity.objects.count() == 1


class TestTheTwentyFourHourRule:
    def test_a_future_dated_activity_is_refused_with_a_clear_error(self, org):
        account = AccountFactory(owner=org["owner"])
        with pytest.raises(ValidationError) as refused:
            services.activity_log(by=org["owner"], account=account, kind="call", summary="x",
                                  occurred_at=timezone.now() + timedelta(hours=2))
        assert "future" in " ".join(refused.value.message_dict["occurred_at"])
        assert not Activity.objects.exists()

    def test_a_few_minutes_of_clock_skew_are_allowed(self, org):
        account = AccountFactory(owner=org["owner"])
        services.activity_log(by=org["owner"], account=account, kind="call", summary="x",
                              occurred_at=timezone.now() + timedelta(minutes=3))
        assert Activity.objects.count() == 1

    def test_a_late_activity_is_accepted_and_flagged(self, org):
        account = AccountFactory(owner=org["owner"])
        late = services.activity_log(by=org["owner"], account=account, kind="meeting", summary="x",
                                     occurred_at=ago(hours=25))
        on_time = services.activity_log(by=org["owner"], account=account, kind="meeting", summary="x",
                                        occurred_at=ago(hours=23))
        assert activity_is_late(late) and not activity_is_late(on_time)

    def test_moving_an_activity_into_the_future_is_refused(self, org):
        activity = ActivityFactory(account=AccountFactory(owner=org["owner"]), owner=org["owner"])
        with pytest.raises(ValidationError):
            services.activity_update(activity=activity, by=org["owner"], occurred_at=timezone.now() + timedelta(days=1))
        services.activity_update(activity=activity, by=org["owner"], occurred_at=ago(days=2), summary="Earlier")
        activity.refresh_from_db()
        assert activity.summary == "Earlier" and activity_is_late(activity)

    def test_a_task_needs_a_due_date_and_only_a_task_has_one(self, org):
        account = AccountFactory(owner=org["owner"])
        with pytest.raises(ValidationError):
            services.activity_log(by=org["owner"], account=account, kind="task", summary="Send the proposal")
        with pytest.raises(ValidationError):
            services.activity_log(by=org["owner"], account=account, kind="call", summary="x",
                                  due_at=timezone.now() + timedelta(days=1))
        task = services.activity_log(by=org["owner"], account=account, kind="task", summary="Send the proposal",
                                     due_at=timezone.now() + timedelta(days=1))
        assert task.due_at and not activity_is_late(task)


class TestVisibility:
    def test_lead_activities_are_read_by_whoever_sees_the_lead(self, org):
        lead = LeadFactory(owner=org["owner"])
        call = services.activity_log(by=org["owner"], lead=lead, kind="call", summary="x")
        readers = {name for name in ("owner", "teammate", "outsider", "mgr", "other_mgr", "marketing", "admin")
                   if activity_queryset_for(user=org[name]).filter(pk=call.pk).exists()}
        assert readers == {"owner", "mgr", "marketing", "admin"}

    def test_changing_stays_with_the_logger_and_their_manager(self, org):
        lead = LeadFactory(owner=org["owner"])
        note = services.activity_log(by=org["mgr"], lead=lead, kind="note", summary="x")
        with pytest.raises(PermissionDenied):
            services.activity_update(activity=note, by=org["owner"], summary="mine now")
        assert activity_queryset_for(user=org["owner"]).filter(pk=note.pk).exists()  # but reads it

    def test_an_admin_sees_every_activity(self, org):
        ActivityFactory(account=AccountFactory(owner=org["outsider"]), owner=org["outsider"])
        services.activity_log(by=org["owner"], lead=LeadFactory(owner=org["owner"]), kind="call", summary="x")
        assert activity_queryset_for(user=org["admin"]).count() == 2

    def test_support_reads_account_activities_not_lead_ones(self, org):
        services.activity_log(by=org["owner"], lead=LeadFactory(owner=org["owner"]), kind="call", summary="x")
        ActivityFactory(account=AccountFactory(owner=org["owner"]), owner=org["owner"])
        support = UserFactory(role=User.Role.SUPPORT)
        assert [a.account_id is not None for a in activity_queryset_for(user=support)] == [True]
