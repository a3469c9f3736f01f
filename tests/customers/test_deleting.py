"""Deleting accounts, contacts and activities goes through customers.services: the predicate
decides who may, the row is locked, each deletion is audited, and an account with deals is refused."""
import pytest
from django.contrib.admin.models import DELETION, LogEntry
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from customers.models import Account, Contact, Activity
from customers.services import accounts_delete, contacts_delete, activities_delete
from tests.pipeline.factories import make_opportunity

from .factories import AccountFactory, ContactFactory, ActivityFactory

pytestmark = pytest.mark.django_db


def deletions(model):
    return LogEntry.objects.filter(content_type__model=model, action_flag=DELETION)


@pytest.fixture
def book(org):
    account = AccountFactory(owner=org["owner"], name="Initech")
    contact = ContactFactory(account=account, name="Bill")
    activity = ActivityFactory(account=account, contact=contact, owner=org["owner"], summary="Kick-off")
    return account, contact, activity


class TestAccountsApi:
    def test_an_admin_deletes_an_account_with_its_contacts_and_log_audited(self, api, org, book):
        account, contact, activity = book
        assert api.as_user(org["admin"]).delete(f"/api/v1/accounts/{account.pk}/").status_code == 204
        assert not Account.objects.filter(pk=account.pk).exists()
        assert not Contact.objects.filter(pk=contact.pk).exists()
        assert not Activity.objects.filter(pk=activity.pk).exists()
        entry = deletions("account").get(object_id=str(account.pk))
        assert (entry.user, entry.object_repr) == (org["admin"], "Initech")
        assert entry.change_message == "Deleted with 1 contacts and 1 activities."

    def test_the_owner_and_their_manager_may_not_delete_an_account(self, api, org, book):
        account = book[0]
        for user in (org["owner"], org["mgr"]):
            response = api.as_user(user).delete(f"/api/v1/accounts/{account.pk}/")
            assert response.status_code == 403
            assert "Only administrators delete accounts" in response.json()["detail"]
        assert Account.objects.filter(pk=account.pk).exists() and not deletions("account").exists()

    def test_an_account_with_deals_is_refused_and_nothing_is_deleted(self, api, org, book):
        account, contact, _ = book
        make_opportunity(owner=org["owner"], account=account)
        response = api.as_user(org["admin"]).delete(f"/api/v1/accounts/{account.pk}/")
        assert response.status_code == 400
        assert Contact.objects.filter(pk=contact.pk).exists() and not deletions("account").exists()


class TestContactsAndActivitiesApi:
    def test_the_account_owner_deletes_a_contact_audited(self, api, org, book):
        contact = book[1]
        assert api.as_user(org["owner"]).delete(f"/api/v1/contacts/{contact.pk}/").status_code == 204
        assert not Contact.objects.filter(pk=contact.pk).exists()
        assert Activity.objects.get(pk=book[2].pk).contact is None  # the log keeps the entry
        assert deletions("contact").get(object_id=str(contact.pk)).change_message == "Contact of Initech."

    def test_the_owners_manager_may_delete_an_outsider_may_not(self, api, org, book):
        contact = book[1]
        assert api.as_user(org["outsider"]).delete(f"/api/v1/contacts/{contact.pk}/").status_code == 404
        assert api.as_user(org["other_mgr"]).delete(f"/api/v1/contacts/{contact.pk}/").status_code == 404
        assert api.as_user(org["mgr"]).delete(f"/api/v1/contacts/{contact.pk}/").status_code == 204
        assert deletions("contact").get().user == org["mgr"]

    def test_the_author_deletes_an_activity_the_account_owner_only_reads_others(self, api, org, book):
        account, _, mine = book
        theirs = ActivityFactory(account=account, owner=org["outsider"], summary="Cold call")
        client = api.as_user(org["owner"])
        assert client.get(f"/api/v1/activities/{theirs.pk}/").status_code == 200
        assert client.delete(f"/api/v1/activities/{theirs.pk}/").status_code == 404
        assert client.delete(f"/api/v1/activities/{mine.pk}/").status_code == 204
        assert list(Activity.objects.values_list("pk", flat=True)) == [theirs.pk]
        assert deletions("activity").get().change_message == "call on Initech: Kick-off"

    def test_updates_go_through_the_services(self, api, org, book):
        account, contact, activity = book
        client = api.as_user(org["owner"])
        assert client.patch(f"/api/v1/accounts/{account.pk}/", {"name": "Initrode"}, format="json").status_code == 200
        assert client.patch(f"/api/v1/contacts/{contact.pk}/", {"title": "CTO"}, format="json").status_code == 200
        response = client.patch(f"/api/v1/activities/{activity.pk}/",
                                {"occurred_at": timezone.now().isoformat(), "summary": "Kick-off, again"},
                                format="json")
        assert response.status_code == 200
        assert (Account.objects.get().name, Contact.objects.get().title, Activity.objects.get().summary) == (
            "Initrode", "CTO", "Kick-off, again")
        response = client.patch(f"/api/v1/accounts/{account.pk}/", {"owner": org["outsider"].pk}, format="json")
        assert response.status_code == 400 and Account.objects.get().owner == org["owner"]


class TestServices:
    def test_one_refused_row_deletes_nothing(self, org, book):
        theirs = ContactFactory(account=AccountFactory(owner=org["outsider"]))
        with pytest.raises(PermissionDenied):
            contacts_delete(contacts=Contact.objects.all(), by=org["owner"])
        assert Contact.objects.count() == 2 and not deletions("contact").exists()
        assert contacts_delete(contacts=Contact.objects.filter(pk=theirs.pk), by=org["other_mgr"]) == 1

    def test_many_rows_are_deleted_in_one_go_with_one_audit_row_each(self, org, book):
        ActivityFactory(account=book[0], owner=org["teammate"], summary="Follow-up")
        assert activities_delete(activities=Activity.objects.all(), by=org["mgr"]) == 2
        assert deletions("activity").count() == 2 and not Activity.objects.exists()

    def test_inactive_admins_delete_nothing(self, org, book):
        org["admin"].is_active = False
        with pytest.raises(PermissionDenied):
            accounts_delete(accounts=Account.objects.all(), by=org["admin"])
        assert Account.objects.exists()
