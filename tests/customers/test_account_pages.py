"""The account and contact pages: list with filters, the customer-360 page, forms with the duplicate
warning, contacts, and the way back to a new opportunity."""
import pytest
from django.urls import reverse

from customers.models import Account, Contact
from tests.pipeline.factories import make_opportunity

from .factories import AccountFactory, ContactFactory
from .roles import customer_people

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(org):
    return customer_people(org)


def _names(response) -> list[str]:
    return [a.name for a in response.context["object_list"]]


def test_list_filters_by_search_industry_region_owners_and_mine(client, people):
    acme = AccountFactory(owner=people["owner"], name="Acme", domain="acme.com", industry="finance", region="north",
                          success_owner=people["success"])
    AccountFactory(owner=people["teammate"], name="Globex", industry="retail", region="east")
    client.force_login(people["mgr"])
    url = reverse("customers:account-list")
    assert _names(client.get(url)) == ["Acme", "Globex"]
    assert _names(client.get(url, {"q": "acme.c"})) == ["Acme"]
    assert _names(client.get(url, {"industry": "retail"})) == ["Globex"]
    assert _names(client.get(url, {"region": "north"})) == ["Acme"]
    assert _names(client.get(url, {"owner": people["teammate"].pk})) == ["Globex"]
    assert _names(client.get(url, {"success_owner": people["success"].pk})) == ["Acme"]
    client.force_login(people["owner"])
    assert _names(client.get(url, {"mine": "on"})) == ["Acme"]
    page = client.get(url).content.decode()
    assert acme.get_absolute_url() in page and 'data-lookup="/org/people/lookup/"' in page  # pickers, not ids
    picked = client.get(url, {"success_owner": people["success"].pk}).content.decode()  # the name is shown back
    assert f'value="{people["success"].pk}" class="picker-value"' in picked and str(people["success"]) in picked


def test_list_has_a_constant_query_count(client, people, django_assert_max_num_queries):
    client.force_login(people["mgr"])
    AccountFactory(owner=people["owner"])
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("customers:account-list"))
    AccountFactory.create_batch(60, owner=people["owner"], success_owner=people["success"])
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("customers:account-list"))
    assert len(response.context["object_list"]) == 50


def test_rep_creates_an_account_and_comes_back_to_the_new_opportunity(client, people):
    client.force_login(people["owner"])
    deal_form = client.get(reverse("pipeline:create")).content.decode()
    assert 'data-section="no-account"' in deal_form and reverse("customers:account-create") in deal_form
    response = client.post(reverse("customers:account-create") + "?next=/pipeline/new/",
                           {"name": "Initech", "domain": "https://www.initech.com/", "owner": people["owner"].pk,
                            "next": "/pipeline/new/"})
    account = Account.objects.get(name="Initech")
    assert account.owner == people["owner"] and account.domain == "initech.com"
    assert response.status_code == 302 and response["Location"] == f"/pipeline/new/?account={account.pk}"
    form = client.get(response["Location"]).context["form"]
    assert form.initial["account"] == account.pk


def test_next_may_not_leave_the_site(client, people):
    client.force_login(people["owner"])
    response = client.post(reverse("customers:account-create"), {"name": "Umbrella", "owner": people["owner"].pk,
                                                                  "next": "https://evil.example/"})
    assert response["Location"] == Account.objects.get(name="Umbrella").get_absolute_url()


def test_duplicates_are_warned_with_links_and_saved_when_confirmed(client, people):
    first = AccountFactory(owner=people["owner"], name="Acme Corp", domain="acme.com")
    AccountFactory(owner=people["outsider"], name="ACME corp")
    client.force_login(people["owner"])
    url = reverse("customers:account-create")
    data = {"name": "acme corp", "owner": people["owner"].pk}
    response = client.post(url, data)
    assert response.status_code == 200 and Account.objects.count() == 2
    page = response.content.decode()
    assert first.get_absolute_url() in page and 'name="confirm_duplicates"' in page and 'type="checkbox"' in page
    assert "1 more account you cannot see" in page
    response = client.post(url, {**data, "confirm_duplicates": "on"})
    assert response.status_code == 302 and Account.objects.count() == 3


def test_edit_warns_of_a_duplicate_domain_but_not_of_itself(client, people):
    account = AccountFactory(owner=people["owner"], name="Acme", domain="acme.com")
    AccountFactory(owner=people["owner"], name="Other", domain="other.com")
    client.force_login(people["owner"])
    url = reverse("customers:account-edit", args=[account.pk])
    assert client.post(url, {"name": "Acme Inc", "domain": "acme.com", "owner": people["owner"].pk}).status_code == 302
    response = client.post(url, {"name": "Acme Inc", "domain": "other.com", "owner": people["owner"].pk})
    assert response.status_code == 200 and response.context["form"].duplicates["visible"]


def test_success_owner_edits_an_account_keeping_its_sales_owner(client, people):
    account = AccountFactory(owner=people["owner"], success_owner=people["success"], name="Acme")
    client.force_login(people["success"])
    response = client.post(reverse("customers:account-edit", args=[account.pk]),
                           {"name": "Acme", "employees": 900, "owner": people["owner"].pk,
                            "success_owner": people["success"].pk})
    account.refresh_from_db()
    assert response.status_code == 302 and account.employees == 900 and account.owner == people["owner"]


def test_a_rep_cannot_give_an_account_to_someone_else(client, people):
    client.force_login(people["owner"])
    response = client.post(reverse("customers:account-create"), {"name": "Hooli", "owner": people["teammate"].pk})
    assert response.status_code == 200 and "owner" in response.context["form"].errors
    assert not Account.objects.filter(name="Hooli").exists()


def test_contacts_are_listed_created_edited_and_deleted(client, people):
    account = AccountFactory(owner=people["owner"])
    client.force_login(people["owner"])
    response = client.post(reverse("customers:contact-create", args=[account.pk]),
                           {"name": "Ann Lee", "email": "ann@example.com", "title": "CFO"})
    contact = Contact.objects.get(account=account)
    assert response["Location"] == reverse("customers:account-contacts", args=[account.pk])
    client.post(reverse("customers:contact-edit", args=[contact.pk]), {"name": "Ann Lee", "title": "CEO"})
    contact.refresh_from_db()
    assert contact.title == "CEO" and contact.email == ""
    page = client.get(reverse("customers:account-contacts", args=[account.pk])).content.decode()
    assert "Ann Lee" in page and reverse("customers:contact-delete", args=[contact.pk]) in page
    assert client.get(reverse("customers:contact-delete", args=[contact.pk])).status_code == 200
    client.post(reverse("customers:contact-delete", args=[contact.pk]))
    assert not Contact.objects.filter(pk=contact.pk).exists()


def test_bad_contact_input_changes_nothing(client, people):
    account = AccountFactory(owner=people["owner"])
    client.force_login(people["owner"])
    response = client.post(reverse("customers:contact-create", args=[account.pk]), {"name": "", "email": "nope"})
    assert response.status_code == 200 and {"name", "email"} <= set(response.context["form"].errors)
    assert not Contact.objects.exists()


def test_account_names_link_to_the_account_page(client, people):
    deal = make_opportunity(owner=people["owner"])
    client.force_login(people["owner"])
    url = deal.account.get_absolute_url()
    for page in ("pipeline:list", "pipeline:board"):
        assert url in client.get(reverse(page)).content.decode()
    assert url in client.get(reverse("pipeline:detail", args=[deal.pk])).content.decode()
    client.force_login(people["admin"])
    assert url in client.get(reverse("admin:pipeline_opportunity_changelist")).content.decode()
    assert url in client.get(reverse("admin:customers_account_changelist")).content.decode()


def test_header_has_a_customers_link(client, people):
    client.force_login(people["success"])
    assert 'data-nav="customers"' in client.get(reverse("customers:account-list")).content.decode()


def test_contacts_panel_shows_ten_and_links_to_all(client, people):
    account = AccountFactory(owner=people["owner"])
    ContactFactory.create_batch(12, account=account)
    client.force_login(people["owner"])
    response = client.get(account.get_absolute_url())
    page = response.content.decode()
    assert page.count("data-contact=") == 10 and "All 12 contacts" in page


def test_a_rep_hands_an_account_to_a_success_user_but_not_to_another_rep(people):
    from django.core.exceptions import ValidationError

    from customers.services import account_create, account_update
    account = account_create(by=people["owner"], name="Handed over", success_owner=people["success"])
    assert account.success_owner == people["success"] and account.owner == people["owner"]
    with pytest.raises(ValidationError) as refused:
        account_update(account=account, by=people["owner"], success_owner=people["teammate"])
    assert "success_owner" in refused.value.message_dict
    assert Account.objects.get(pk=account.pk).success_owner == people["success"]


def test_the_form_offers_success_users_to_a_rep(client, people):
    client.force_login(people["owner"])
    page = client.get(reverse("customers:account-create")).content.decode()
    success_field = page[page.index('name="success_owner"'):]
    success_field = success_field[:success_field.index("</select>")]
    assert f'value="{people["success"].pk}"' in success_field
    assert f'value="{people["teammate"].pk}"' not in success_field
