"""Who sees and changes which accounts, on the pages and in the API: a rep never sees another rep's
accounts; success sees the accounts it is success owner of; managers their teams'; support and
product read every customer-360 page and get 403 on every write."""
import pytest
from django.urls import reverse

from customers.models import Account, Contact
from teams import predicates

from .factories import AccountFactory, ContactFactory
from .roles import customer_people

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(org):
    return customer_people(org)


@pytest.fixture
def accounts(people):
    return {"mine": AccountFactory(owner=people["owner"], name="Mine", success_owner=people["success"]),
            "teammates": AccountFactory(owner=people["teammate"], name="Teammate's"),
            "outsiders": AccountFactory(owner=people["outsider"], name="Outsider's",
                                        success_owner=people["other_success"])}


def _listed(client, user) -> set[str]:
    client.force_login(user)
    return {a.name for a in client.get(reverse("customers:account-list")).context["object_list"]}


def test_who_sees_which_accounts_on_the_list(client, people, accounts):
    assert _listed(client, people["owner"]) == {"Mine"}
    assert _listed(client, people["outsider"]) == {"Outsider's"}
    assert _listed(client, people["success"]) == {"Mine"}
    assert _listed(client, people["mgr"]) == {"Mine", "Teammate's"}
    for role in ("support", "product", "admin"):
        assert _listed(client, people[role]) == {"Mine", "Teammate's", "Outsider's"}


def test_a_rep_gets_404_for_another_reps_account_pages(client, people, accounts):
    theirs = accounts["outsiders"]
    contact = ContactFactory(account=theirs)
    client.force_login(people["owner"])
    for url in (theirs.get_absolute_url(), reverse("customers:account-edit", args=[theirs.pk]),
                reverse("customers:account-contacts", args=[theirs.pk]),
                reverse("customers:contact-create", args=[theirs.pk]),
                reverse("customers:contact-edit", args=[contact.pk]),
                reverse("customers:contact-delete", args=[contact.pk])):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("customers:account-edit", args=[theirs.pk]), {"name": "Hacked"}).status_code == 404
    assert Account.objects.get(pk=theirs.pk).name == "Outsider's"


def test_a_rep_never_sees_another_reps_accounts_in_the_api(api, people, accounts):
    client = api.as_user(people["owner"])
    assert [a["name"] for a in client.get("/api/v1/accounts/").json()["results"]] == ["Mine"]
    assert client.get(f"/api/v1/accounts/{accounts['outsiders'].pk}/").status_code == 404
    assert client.patch(f"/api/v1/accounts/{accounts['outsiders'].pk}/", {"name": "x"}, format="json").status_code == 404
    assert client.get("/api/v1/accounts/", {"owner": people["outsider"].pk}).json()["count"] == 0


def test_success_sees_and_changes_the_accounts_it_owns(client, api, people, accounts):
    client.force_login(people["success"])
    assert client.get(accounts["mine"].get_absolute_url()).status_code == 200
    assert client.get(accounts["outsiders"].get_absolute_url()).status_code == 404
    response = api.as_user(people["success"]).patch(f"/api/v1/accounts/{accounts['mine'].pk}/", {"employees": 42},
                                                    format="json")
    assert response.status_code == 200 and response.json()["employees"] == 42
    assert predicates.can_change_account(people["success"], accounts["mine"])
    assert not predicates.can_change_account(people["success"], accounts["outsiders"])


@pytest.mark.parametrize("role", ["support", "product"])
def test_support_and_product_read_every_360_page_and_change_nothing(client, people, accounts, role):
    user = people[role]
    contact = ContactFactory(account=accounts["outsiders"])
    client.force_login(user)
    page = client.get(accounts["outsiders"].get_absolute_url())
    assert page.status_code == 200 and 'data-panel="contacts"' in page.content.decode()
    assert reverse("customers:account-edit", args=[accounts["outsiders"].pk]) not in page.content.decode()
    assert client.get(reverse("customers:account-contacts", args=[accounts["outsiders"].pk])).status_code == 200
    writes = [reverse("customers:account-create"), reverse("customers:account-edit", args=[accounts["mine"].pk]),
              reverse("customers:contact-create", args=[accounts["mine"].pk]),
              reverse("customers:contact-edit", args=[contact.pk]), reverse("customers:contact-delete", args=[contact.pk])]
    for url in writes:
        assert client.get(url).status_code == 403, url
        assert client.post(url, {"name": "Changed", "owner": user.pk}).status_code == 403, url
    assert Contact.objects.filter(pk=contact.pk, name=contact.name).exists()
    assert not predicates.can_create_account(user) and not predicates.can_change_account(user, accounts["mine"])


@pytest.mark.parametrize("role", ["support", "product"])
def test_support_and_product_get_403_on_every_api_write(api, people, accounts, role):
    client = api.as_user(people[role])
    account = accounts["mine"]
    contact = ContactFactory(account=account)
    assert client.get("/api/v1/accounts/").json()["count"] == 3
    assert client.get(f"/api/v1/accounts/{account.pk}/").status_code == 200
    assert client.get(f"/api/v1/contacts/{contact.pk}/").status_code == 200
    assert client.get("/api/v1/accounts/duplicates/", {"name": "Mine"}).status_code == 200
    for method, url, body in (
        ("post", "/api/v1/accounts/", {"name": "New"}),
        ("patch", f"/api/v1/accounts/{account.pk}/", {"name": "x"}),
        ("put", f"/api/v1/accounts/{account.pk}/", {"name": "x"}),
        ("delete", f"/api/v1/accounts/{account.pk}/", None),
        ("post", "/api/v1/contacts/", {"account": account.pk, "name": "X"}),
        ("patch", f"/api/v1/contacts/{contact.pk}/", {"name": "x"}),
        ("delete", f"/api/v1/contacts/{contact.pk}/", None),
    ):
        response = getattr(client, method)(url, body, format="json")
        assert response.status_code == 403, (method, url, response.status_code)
    assert Account.objects.filter(pk=account.pk, name="Mine").exists() and Contact.objects.filter(pk=contact.pk).exists()


def test_the_service_refuses_read_only_roles_too(people, accounts):
    from django.core.exceptions import PermissionDenied

    from customers import services
    with pytest.raises(PermissionDenied):
        services.account_create(by=people["support"], name="Sneaky")
    with pytest.raises(PermissionDenied):
        services.contact_create(by=people["product"], account=accounts["mine"], name="Sneaky")


def test_manager_edits_their_teams_accounts_only(client, people, accounts):
    client.force_login(people["mgr"])
    assert client.get(reverse("customers:account-edit", args=[accounts["teammates"].pk])).status_code == 200
    assert client.get(reverse("customers:account-edit", args=[accounts["outsiders"].pk])).status_code == 404
