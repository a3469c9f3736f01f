"""The customers admin writes through customers.services: change forms, the contacts inline, the
delete page and the delete action (audited once, refused as the service refuses)."""
from datetime import timedelta

import pytest
from django.contrib.admin.models import DELETION, LogEntry
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from customers.models import Account, Contact, Activity
from tests.pipeline.factories import make_opportunity

from .factories import AccountFactory, ContactFactory, ActivityFactory

pytestmark = pytest.mark.django_db


def management(prefix, total=0, initial=0):
    return {f"{prefix}-TOTAL_FORMS": str(total), f"{prefix}-INITIAL_FORMS": str(initial),
            f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000"}


def account_form(account=None, *, owner, name, contacts=()):
    """POST data for the account change form; `contacts`: dicts with id (existing), DELETE, fields."""
    data = {"name": name, "industry": "technology", "employees": "100", "region": "east", "owner": owner.pk,
            "external_ref": "", **management("contacts", len(contacts), sum(1 for c in contacts if c.get("id")))}
    for i, contact in enumerate(contacts):
        data.update({f"contacts-{i}-{key}": value for key, value in contact.items()})
        data[f"contacts-{i}-account"] = account.pk if account else ""
    return data


@pytest.fixture
def admin_client(client, org):
    client.force_login(org["admin"])
    return client


def test_the_add_and_change_forms_go_through_the_services(admin_client, org):
    response = admin_client.post(reverse("admin:customers_account_add"),
                                 account_form(owner=org["owner"], name="Initech",
                                              contacts=[{"name": "Bill", "email": "bill@initech.example"}]))
    assert response.status_code == 302
    account = Account.objects.get(name="Initech")
    assert account.owner == org["owner"] and list(account.contacts.values_list("name", flat=True)) == ["Bill"]
    response = admin_client.post(reverse("admin:customers_account_change", args=[account.pk]),
                                 account_form(account, owner=org["owner"], name="Initrode"))
    assert response.status_code == 302 and Account.objects.get(pk=account.pk).name == "Initrode"


def test_an_owner_the_service_refuses_changes_nothing_and_is_no_500(admin_client, org):
    account = AccountFactory(owner=org["owner"], name="Initech")
    org["outsider"].is_active = False
    org["outsider"].save()
    response = admin_client.post(reverse("admin:customers_account_change", args=[account.pk]),
                                 account_form(account, owner=org["outsider"], name="Renamed"), follow=True)
    assert response.status_code == 200
    assert "You cannot assign records to this user." in response.content.decode()
    assert Account.objects.get(pk=account.pk).name == "Initech"


def test_the_contacts_inline_changes_and_deletes_through_the_services(admin_client, org):
    account = AccountFactory(owner=org["owner"], name="Initech")
    keep, gone = ContactFactory(account=account, name="Bill"), ContactFactory(account=account, name="Peter")
    response = admin_client.post(reverse("admin:customers_account_change", args=[account.pk]), account_form(
        account, owner=org["owner"], name="Initech", contacts=[
            {"id": keep.pk, "name": "Bill L.", "email": keep.email, "phone": "", "title": "VP"},
            {"id": gone.pk, "name": gone.name, "email": gone.email, "phone": "", "title": "", "DELETE": "on"}]))
    assert response.status_code == 302
    assert list(account.contacts.values_list("name", "title")) == [("Bill L.", "VP")]
    (entry,) = LogEntry.objects.filter(content_type__model="contact", action_flag=DELETION)
    assert (entry.object_id, entry.user, entry.change_message) == (str(gone.pk), org["admin"], "Contact of Initech.")


def test_the_delete_action_deletes_through_the_service_and_refuses_accounts_with_deals(admin_client, org):
    free = AccountFactory(owner=org["owner"], name="Free")
    dealing = make_opportunity(owner=org["owner"]).account
    changelist = reverse("admin:customers_account_changelist")
    refused = admin_client.post(changelist, {"action": "delete_selected", "_selected_action": [free.pk, dealing.pk],
                                             "post": "yes"})
    assert refused.status_code == 200 and "Cannot delete" in refused.content.decode()
    assert Account.objects.count() == 2
    done = admin_client.post(changelist, {"action": "delete_selected", "_selected_action": [free.pk], "post": "yes"})
    assert done.status_code == 302 and not Account.objects.filter(pk=free.pk).exists()
    (entry,) = LogEntry.objects.filter(content_type__model="account")  # the service's row, not a second one
    assert (entry.action_flag, entry.object_repr) == (DELETION, "Free")


def test_the_delete_page_of_a_contact_and_an_activity_calls_the_services(admin_client, org):
    activity = ActivityFactory(account=AccountFactory(owner=org["owner"]), owner=org["owner"])
    contact = ContactFactory(account=activity.account)
    for model, obj in (("contact", contact), ("activity", activity)):
        response = admin_client.post(reverse(f"admin:customers_{model}_delete", args=[obj.pk]), {"post": "yes"})
        assert response.status_code == 302
        assert LogEntry.objects.filter(content_type__model=model, action_flag=DELETION).count() == 1
    assert not Contact.objects.exists() and not Activity.objects.exists()


def test_an_activity_added_in_the_admin_is_logged_by_the_admin_user(admin_client, org):
    account = AccountFactory(owner=org["owner"])
    earlier = timezone.localtime() - timedelta(hours=2)  # never in the future (the 24-hour rule refuses that)
    response = admin_client.post(reverse("admin:customers_activity_add"), {
        "account": account.pk, "kind": "call", "occurred_at_0": earlier.date().isoformat(),
        "occurred_at_1": earlier.strftime("%H:%M:%S"), "summary": "Intro", "opportunity": "", "contact": ""})
    assert response.status_code == 302
    assert Activity.objects.get().owner == org["admin"]


def test_a_non_admin_staff_user_cannot_delete_accounts(client, org):
    org["mgr"].is_staff = True  # with Django's permissions on accounts, but not the admin role
    org["mgr"].save()
    org["mgr"].user_permissions.set(Permission.objects.filter(content_type__app_label="customers",
                                                              codename__endswith="_account"))
    client.force_login(org["mgr"])
    account = AccountFactory(owner=org["owner"])
    response = client.post(reverse("admin:customers_account_delete", args=[account.pk]), {"post": "yes"})
    assert response.status_code == 403 and Account.objects.filter(pk=account.pk).exists()


def test_the_admin_pages_render(admin_client, org):
    activity = ActivityFactory(account=AccountFactory(owner=org["owner"]), owner=org["owner"])
    contact = ContactFactory(account=activity.account)
    for name, args in (("account_add", []), ("account_change", [activity.account_id]), ("contact_add", []),
                       ("contact_change", [contact.pk]), ("activity_add", []),
                       ("activity_change", [activity.pk]), ("account_delete", [activity.account_id])):
        assert admin_client.get(reverse(f"admin:customers_{name}", args=args)).status_code == 200, name
