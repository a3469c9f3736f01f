"""Quick add of a deal from the header (issue 12, item 4)."""
from decimal import Decimal
from unittest import mock

from django.urls import reverse

from pipeline import services
from pipeline.models import Opportunity, Stage
from tests.customers.factories import AccountFactory

QUICK = {"HTTP_X_QUICK_ADD": "1"}


def _first_stage():
    return Stage.objects.filter(is_active=True, is_won=False, is_lost=False).order_by("order").first()


def test_the_form_offers_the_fields_that_matter_with_me_as_owner(client, org):
    client.force_login(org["owner"])
    html = client.get(reverse("pipeline:quick-add"), **QUICK).content.decode()
    for name in ("name", "account", "amount", "stage", "expected_close_date", "owner"):
        assert f'name="{name}"' in html, name
    assert f'<option value="{org["owner"].pk}" selected>' in html
    assert 'data-lookup="/customers/accounts/lookup/"' in html


def test_it_creates_the_deal_through_the_service(client, org):
    account = AccountFactory(owner=org["owner"], name="Acme")
    client.force_login(org["owner"])
    data = {"name": "Acme renewal", "account": account.pk, "amount": "1200.50", "stage": _first_stage().pk,
            "expected_close_date": "2026-12-20", "owner": org["owner"].pk}
    with mock.patch("pipeline.views.services.opportunity_quick_create", wraps=services.opportunity_quick_create) as create:
        response = client.post(reverse("pipeline:quick-add"), data, **QUICK)
    assert create.call_count == 1
    opp = Opportunity.objects.get()
    assert (opp.name, opp.account, opp.amount, opp.owner, opp.stage) == (
        "Acme renewal", account, Decimal("1200.50"), org["owner"], _first_stage())
    assert response.json() == {"url": reverse("pipeline:detail", args=[opp.pk])}


def test_an_account_out_of_scope_is_refused_and_the_values_kept(client, org):
    theirs = AccountFactory(owner=org["outsider"], name="Hidden")
    client.force_login(org["owner"])
    response = client.post(reverse("pipeline:quick-add"), {
        "name": "Sneaky", "account": theirs.pk, "amount": "10", "stage": _first_stage().pk,
        "owner": org["owner"].pk}, **QUICK)
    html = response.content.decode()
    assert response.status_code == 400 and 'value="Sneaky"' in html and 'class="errorlist"' in html
    assert "Hidden" not in html
    assert not Opportunity.objects.exists()


def test_a_refused_stage_creates_nothing_and_names_the_criteria(client, org):
    account = AccountFactory(owner=org["owner"])
    target = Stage.objects.filter(is_active=True, is_won=False, is_lost=False).order_by("order")[2]
    client.force_login(org["owner"])
    response = client.post(reverse("pipeline:quick-add"), {
        "name": "Too fast", "account": account.pk, "amount": "10", "stage": target.pk, "owner": org["owner"].pk},
        **QUICK)
    assert response.status_code == 400 and 'class="errorlist"' in response.content.decode()
    assert not Opportunity.objects.exists()


def test_bad_input_never_fails(client, org):
    client.force_login(org["owner"])
    response = client.post(reverse("pipeline:quick-add"), {"name": "x" * 500, "account": "abc", "amount": "-5",
                                                           "stage": "999999", "owner": "1e9"})
    assert response.status_code == 400 and not Opportunity.objects.exists()
