"""The sales-to-success handoff: the gate on closing won, who edits and confirms, onboarding tasks on
commit, the API's answers to bad input, the deal page section and the customer-360 panel."""
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from customers.models import Account, Activity
from pipeline import handoff as rules
from pipeline import registry, services
from pipeline.models import ChecklistItem, GateCriterion, Handoff, StageTransition
from pipeline.selectors.handoff import account_handoff_rows
from teams.models import Notification, User
from tests.customers.factories import AccountFactory, ContactFactory
from tests.teams.factories import UserFactory

from .factories import log_meeting, make_opportunity, stage

pytestmark = pytest.mark.django_db
URL = "/api/v1/opportunities/{}/handoff/"
CONFIRM = "/api/v1/opportunities/{}/handoff/confirm-feasibility/"
EVERY_ITEM = ["handoff:stakeholder_champion", "handoff:stakeholder_executive_sponsor", "handoff:stakeholder_admin",
              "handoff:success_criteria", "handoff:target_30", "handoff:target_60", "handoff:target_90",
              "handoff:feasibility", "handoff:success_owner"]


@pytest.fixture
def people(org):
    return {**org,
            "success": UserFactory(username="success", role=User.Role.SUCCESS),
            "product": UserFactory(username="product", role=User.Role.PRODUCT),
            "support": UserFactory(username="support", role=User.Role.SUPPORT)}


def move(opp, code, by, **kwargs):
    return services.opportunity_transition(opportunity=opp, to_stage=stage(code), by=by, **kwargs)


def in_negotiation(rep, *, account=None, name="Acme rollout"):
    opp = make_opportunity(owner=rep, account=account, name=name, confirmed_needs="Forecasting",
                           expected_close_date=date(2026, 12, 31), amount=Decimal("50000"))
    opp = move(move(opp, "needs_confirmed", rep), "solution_demo", rep)
    services.checklist_tick(opportunity=opp, item=ChecklistItem.objects.get(code="solution_accepted"), by=rep)
    log_meeting(opp)
    return move(opp, "negotiation", rep)


def stakeholders(opp):
    return {role: ContactFactory(account=opp.account, name=f"{role} person") for role in rules.ROLES}


def complete(opp, people):
    """Fill in every part of the handoff (through the services, as the pages and the API do)."""
    Account.objects.filter(pk=opp.account_id).update(success_owner=people["success"])
    opp.account.refresh_from_db()
    services.handoff_update(opportunity=opp, by=opp.owner, stakeholders=stakeholders(opp),
                            success_criteria="Forecast within 10%", target_30="Pilot live", target_60="All reps live",
                            target_90="First forecast review", promises=["SSO by go-live"])
    return services.handoff_confirm_feasibility(opportunity=opp, by=people["product"], note="Standard setup")


def onboarding(opp):
    return list(Activity.objects.filter(key__startswith=f"handoff:{opp.pk}:").order_by("due_at"))


# --- the gate -----------------------------------------------------------------------------------
def test_the_data_migration_requires_the_default_parts_on_entering_closed_won(handoff_gate):
    rows = GateCriterion.objects.filter(kind=GateCriterion.Kind.HANDOFF, is_active=True)
    assert {(c.stage.code, c.applies_on, c.handoff_part) for c in rows} == {
        ("closed_won", "entry", part) for part in rules.DEFAULT_REQUIRED_PARTS}


def test_closing_won_is_refused_with_every_unmet_handoff_item_listed(people, handoff_gate):
    opp = in_negotiation(people["owner"])
    with pytest.raises(services.TransitionRefused) as refused:
        move(opp, "closed_won", people["owner"])
    assert [u["code"] for u in refused.value.unmet] == EVERY_ITEM
    messages = [u["message"] for u in refused.value.unmet]
    assert "Handoff: name the customer's champion (a contact of the account)." in messages
    assert "Handoff: product feasibility must be confirmed by the product team." in messages
    opp.refresh_from_db()
    assert opp.stage.code == "negotiation" and not onboarding(opp)


def test_the_api_refuses_with_the_same_400_shape_and_only_what_is_still_missing(api, people, handoff_gate):
    opp = in_negotiation(people["owner"])
    contacts = stakeholders(opp)
    services.handoff_update(opportunity=opp, by=people["owner"], stakeholders={"champion": contacts["champion"]},
                            success_criteria="Forecast within 10%", target_30="Pilot live")
    response = api.as_user(people["owner"]).post(f"/api/v1/opportunities/{opp.pk}/transition/",
                                                 {"stage": "closed_won"}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert [u["code"] for u in body["unmet"]] == [
        "handoff:stakeholder_executive_sponsor", "handoff:stakeholder_admin", "handoff:target_60",
        "handoff:target_90", "handoff:feasibility", "handoff:success_owner"]
    assert all(u["message"] in body["detail"] for u in body["unmet"])


def test_a_stakeholder_of_another_account_does_not_count(people, handoff_gate):
    opp = in_negotiation(people["owner"])
    with pytest.raises(ValidationError):
        services.handoff_update(opportunity=opp, by=people["owner"],
                                stakeholders={"champion": ContactFactory(account=AccountFactory(owner=people["owner"]))})
    assert not Handoff.objects.filter(opportunity=opp, stakeholders__isnull=False).exists()


def test_a_part_switched_off_in_the_configuration_is_not_required(people, handoff_gate):
    GateCriterion.objects.filter(kind=GateCriterion.Kind.HANDOFF).exclude(handoff_part="feasibility").update(
        is_active=False)
    opp = in_negotiation(people["owner"])
    with pytest.raises(services.TransitionRefused) as refused:
        move(opp, "closed_won", people["owner"])
    assert [u["code"] for u in refused.value.unmet] == ["handoff:feasibility"]


def test_closing_lost_never_asks_for_the_handoff(people, handoff_gate):
    from pipeline.models import LossReason
    opp = in_negotiation(people["owner"])
    opp = move(opp, "closed_lost", people["owner"], loss_reason=LossReason.objects.get(code="price"))
    assert opp.stage.code == "closed_lost"


# --- closing won: onboarding tasks on commit ------------------------------------------------------
def test_closing_won_opens_the_onboarding_tasks_for_the_success_owner_on_commit(
        people, handoff_gate, django_capture_on_commit_callbacks):
    opp = in_negotiation(people["owner"])
    complete(opp, people)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        opp = move(opp, "closed_won", people["owner"])
        assert not onboarding(opp)  # nothing before the commit
    for callback in callbacks:
        callback()
    tasks = onboarding(opp)
    won_on = timezone.localdate(opp.closed_at)
    assert [t.key for t in tasks] == [f"handoff:{opp.pk}:welcome_pack", f"handoff:{opp.pk}:kickoff",
                                      f"handoff:{opp.pk}:check_30"]
    assert {t.owner for t in tasks} == {people["success"]} and {t.account_id for t in tasks} == {opp.account_id}
    kickoff = tasks[1]
    assert timezone.localdate(kickoff.due_at) == rules.add_business_days(won_on, 5)
    assert timezone.localdate(tasks[2].due_at) == won_on + timedelta(days=30)
    note = Notification.objects.get(recipient=people["success"], kind="handoff_won")
    assert "3 onboarding tasks" in note.message and note.url == reverse("pipeline:handoff", args=[opp.pk])


def test_a_retried_close_opens_each_task_once_and_notifies_once(people, handoff_gate,
                                                                 django_capture_on_commit_callbacks):
    opp = in_negotiation(people["owner"])
    complete(opp, people)
    with django_capture_on_commit_callbacks(execute=True):
        opp = move(opp, "closed_won", people["owner"])
    services.handoff_onboarding_open(opportunity_id=opp.pk)  # the same job run again
    with django_capture_on_commit_callbacks(execute=True):  # reopened and won again
        opp = move(opp, "negotiation", people["owner"], reason="Paperwork")
        opp = move(opp, "closed_won", people["owner"])
    assert len(onboarding(opp)) == 3
    assert Notification.objects.filter(kind="handoff_won").count() == 1


def test_without_a_success_owner_the_deal_owner_gets_the_tasks(people, django_capture_on_commit_callbacks):
    opp = in_negotiation(people["owner"])  # the handoff gate is off in this test
    with django_capture_on_commit_callbacks(execute=True):
        move(opp, "closed_won", people["owner"])
    assert {t.owner for t in onboarding(opp)} == {people["owner"]}


def test_an_imported_won_deal_opens_no_tasks(people, django_capture_on_commit_callbacks):
    opp = make_opportunity(owner=people["owner"])
    with django_capture_on_commit_callbacks(execute=True):
        services.opportunity_import_stage(opportunity=opp, to_stage=stage("closed_won"))
    assert StageTransition.objects.filter(opportunity=opp, kind="imported").exists()
    assert onboarding(opp) == []


def test_onboarding_steps_are_configurable(people, settings, django_capture_on_commit_callbacks):
    settings.PIPELINE_ONBOARDING_STEPS = [{"step": "kickoff", "summary": "Kickoff with %(account)s",
                                           "business_days": 3}]
    opp = in_negotiation(people["owner"])
    with django_capture_on_commit_callbacks(execute=True):
        move(opp, "closed_won", people["owner"])
    assert [t.summary for t in onboarding(opp)] == [f"Kickoff with {opp.account.name}"]


# --- who may do what ---------------------------------------------------------------------------
def test_product_confirms_feasibility_and_who_and_when_are_recorded(api, people):
    opp = in_negotiation(people["owner"])
    response = api.as_user(people["product"]).post(CONFIRM.format(opp.pk), {"note": "Fine"}, format="json")
    assert response.status_code == 200, response.json()
    feasibility = response.json()["feasibility"]
    assert feasibility["confirmed"] and feasibility["confirmed_by"] == people["product"].pk
    assert feasibility["note"] == "Fine" and feasibility["confirmed_at"]
    handoff = Handoff.objects.get(opportunity=opp)
    assert handoff.feasibility_confirmed_by == people["product"]


def test_a_rep_cannot_confirm_feasibility_page_or_api(client, api, people):
    opp = in_negotiation(people["owner"])
    response = api.as_user(people["owner"]).post(CONFIRM.format(opp.pk), {}, format="json")
    assert response.status_code == 403
    client.force_login(people["owner"])
    assert client.post(reverse("pipeline:handoff-confirm-feasibility", args=[opp.pk])).status_code == 403
    assert not Handoff.objects.filter(opportunity=opp, feasibility_confirmed_at__isnull=False).exists()
    page = client.get(reverse("pipeline:detail", args=[opp.pk])).content.decode()
    assert 'id="handoff-form"' in page and 'id="feasibility-form"' not in page


def test_product_and_support_read_the_handoff_but_do_not_change_it(client, api, people):
    opp = in_negotiation(people["owner"])
    for user in (people["product"], people["support"]):
        assert api.as_user(user).get(URL.format(opp.pk)).status_code == 200
        assert api.as_user(user).put(URL.format(opp.pk), {"target_30": "x"}, format="json").status_code == 403
    assert api.as_user(people["support"]).post(CONFIRM.format(opp.pk), {}, format="json").status_code == 403
    client.force_login(people["product"])
    page = client.get(reverse("pipeline:handoff", args=[opp.pk])).content.decode()
    assert 'id="feasibility-form"' in page and 'id="handoff-form"' not in page
    assert client.post(reverse("pipeline:handoff", args=[opp.pk]), {"target_30": "x"}).status_code == 403
    assert not Handoff.objects.filter(opportunity=opp, target_30="x").exists()


def test_other_reps_do_not_see_the_handoff_and_the_success_owner_edits_it(api, people):
    opp = in_negotiation(people["owner"])
    assert api.as_user(people["outsider"]).get(URL.format(opp.pk)).status_code == 404
    assert api.as_user(people["teammate"]).put(URL.format(opp.pk), {}, format="json").status_code == 404
    Account.objects.filter(pk=opp.account_id).update(success_owner=people["success"])
    response = api.as_user(people["success"]).put(URL.format(opp.pk), {"target_90": "Renewal talk"}, format="json")
    assert response.status_code == 200 and response.json()["target_90"] == "Renewal talk"


# --- API input -----------------------------------------------------------------------------------
def test_put_sets_the_checklist_and_get_reads_it_back(api, people):
    opp = in_negotiation(people["owner"])
    contacts = stakeholders(opp)
    client = api.as_user(people["owner"])
    body = {"success_criteria": "Forecast within 10%", "target_30": "Pilot", "target_60": "All reps",
            "target_90": "Review", "promises": ["SSO", " ", "SSO", "Training"], "version": 1,
            "stakeholders": [{"role": role, "contact": contact.pk} for role, contact in contacts.items()]}
    response = client.put(URL.format(opp.pk), body, format="json")
    assert response.status_code == 200, response.json()
    data = client.get(URL.format(opp.pk)).json()
    assert data["promises"] == ["SSO", "Training"] and data["version"] == 2
    assert {(s["role"], s["contact"]) for s in data["stakeholders"]} == {(r, c.pk) for r, c in contacts.items()}
    done = {row["part"]: row["done"] for row in data["status"]}
    assert done == {"stakeholders": True, "success_criteria": True, "promises": True, "feasibility": False,
                    "success_owner": False}
    cleared = client.put(URL.format(opp.pk), {"stakeholders": [{"role": "admin", "contact": None}]}, format="json")
    assert {s["role"] for s in cleared.json()["stakeholders"]} == {"champion", "executive_sponsor"}


@pytest.mark.parametrize("body", [
    {"promises": "SSO"}, {"promises": [1, 2]}, {"promises": ["x" * 301]}, {"promises": ["p"] * 31},
    {"success_criteria": 5}, {"success_criteria": "x" * 4001}, {"target_30": None}, {"target_60": "a\x00b"},
    {"stakeholders": [{"role": "boss", "contact": 1}]}, {"stakeholders": [{"role": "champion"}]},
    {"stakeholders": [{"role": "champion", "contact": "1"}]},
    {"stakeholders": [{"role": "champion", "contact": 2**63}]},
    {"stakeholders": [{"role": "champion", "contact": 999999}]},
    {"stakeholders": {"champion": 1}}, {"version": 0}, {"version": "1"}, [], "text",
])
def test_bad_input_is_a_400_and_changes_nothing(api, people, body):
    opp = in_negotiation(people["owner"])
    response = api.as_user(people["owner"]).put(URL.format(opp.pk), body, format="json")
    assert response.status_code == 400, response.content
    assert not Handoff.objects.filter(opportunity=opp).exclude(version=1).exists()


def test_two_roles_given_twice_and_a_contact_of_another_account_are_400(api, people):
    opp = in_negotiation(people["owner"])
    contact = ContactFactory(account=opp.account)
    stranger = ContactFactory(account=AccountFactory(owner=people["owner"]))
    client = api.as_user(people["owner"])
    twice = [{"role": "champion", "contact": contact.pk}, {"role": "champion", "contact": contact.pk}]
    assert client.put(URL.format(opp.pk), {"stakeholders": twice}, format="json").status_code == 400
    other = [{"role": "champion", "contact": stranger.pk}]
    response = client.put(URL.format(opp.pk), {"stakeholders": other}, format="json")
    assert response.status_code == 400 and "contact of the deal's account" in str(response.json())


def test_a_stale_version_is_a_409(api, people):
    opp = in_negotiation(people["owner"])
    client = api.as_user(people["owner"])
    assert client.put(URL.format(opp.pk), {"target_30": "a", "version": 1}, format="json").status_code == 200
    response = client.put(URL.format(opp.pk), {"target_30": "b", "version": 1}, format="json")
    assert response.status_code == 409 and response.json()["version"] == 2
    confirm = api.as_user(people["product"]).post(CONFIRM.format(opp.pk), {"version": 1}, format="json")
    assert confirm.status_code == 409
    assert Handoff.objects.get(opportunity=opp).target_30 == "a"


@pytest.mark.parametrize("body", [{"note": 5}, {"note": "x" * 2001}, {"version": -1}, []])
def test_confirm_bad_input_is_a_400(api, people, body):
    opp = in_negotiation(people["owner"])
    response = api.as_user(people["product"]).post(CONFIRM.format(opp.pk), body, format="json")
    assert response.status_code == 400
    assert not Handoff.objects.filter(opportunity=opp, feasibility_confirmed_at__isnull=False).exists()


# --- pages ---------------------------------------------------------------------------------------
def test_the_deal_page_form_saves_the_handoff(client, people):
    opp = in_negotiation(people["owner"])
    contacts = stakeholders(opp)
    client.force_login(people["owner"])
    response = client.post(reverse("pipeline:handoff", args=[opp.pk]), {
        "champion": contacts["champion"].pk, "executive_sponsor": contacts["executive_sponsor"].pk,
        "admin": "", "success_criteria": "Forecast", "target_30": "a", "target_60": "b", "target_90": "c",
        "promises": "SSO\n\nTraining\n", "next": reverse("pipeline:detail", args=[opp.pk])}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("pipeline:detail", args=[opp.pk])
    handoff = Handoff.objects.get(opportunity=opp)
    assert handoff.promises == ["SSO", "Training"] and handoff.target_90 == "c"
    assert {s.role for s in handoff.stakeholders.all()} == {"champion", "executive_sponsor"}
    html = response.content.decode()
    assert 'id="handoff"' in html and 'data-part="stakeholders" data-done="0"' in html


def test_a_contact_of_another_account_is_refused_on_the_page(client, people):
    opp = in_negotiation(people["owner"])
    stranger = ContactFactory(account=AccountFactory(owner=people["owner"]))
    client.force_login(people["owner"])
    response = client.post(reverse("pipeline:handoff", args=[opp.pk]), {"champion": stranger.pk})
    assert response.status_code == 200 and "has-error" in response.content.decode()
    assert not Handoff.objects.filter(opportunity=opp).exists()


# --- the customer-360 panel ---------------------------------------------------------------------
def _won_deal(people, account, name):
    opp = in_negotiation(people["owner"], account=account, name=name)
    complete(opp, people)
    opp = move(opp, "closed_won", people["owner"])
    services.handoff_onboarding_open(opportunity_id=opp.pk)
    return opp


def test_the_panel_shows_each_won_deal_with_its_checklist_and_tasks_in_constant_queries(
        people, handoff_gate, django_assert_max_num_queries, django_assert_num_queries):
    account = AccountFactory(owner=people["owner"])
    first = _won_deal(people, account, "First deal")
    in_negotiation(people["owner"], account=account, name="Open deal")
    account = Account.objects.select_related("owner", "success_owner").get(pk=account.pk)

    def render():
        content = registry.handoff_panel(account, people["success"])
        return render_to_string(content.template, content.context)

    with django_assert_max_num_queries(5) as one:  # deals, stakeholders, criteria, tasks, open deals waiting
        html = render()
    assert "First deal" in html and "Open deal" not in html
    assert f'data-task-key="handoff:{first.pk}:kickoff"' in html
    assert f"Confirmed by {people['product']}" in html
    for index in range(3):
        _won_deal(people, account, f"Deal {index}")
    with django_assert_num_queries(len(one.captured_queries)):
        html = render()
    assert all(f"Deal {index}" in html for index in range(3))
    assert len(account_handoff_rows(account=account)) == 4


def test_the_panel_is_registered_for_the_360_page():
    from salesops import panels
    assert "handoff" in [panel.code for panel in panels.account_panels()]


def test_api_get_costs_a_fixed_number_of_queries(api, people, django_assert_max_num_queries):
    opp = in_negotiation(people["owner"])
    complete(opp, people)
    client = api.as_user(people["owner"])
    client.get(URL.format(opp.pk))
    with django_assert_max_num_queries(12):
        assert client.get(URL.format(opp.pk)).status_code == 200


# --- the product team's work list -----------------------------------------------------------------
def test_product_lists_every_open_deal_waiting_for_feasibility_in_constant_queries(
        client, people, django_assert_max_num_queries):
    mine = in_negotiation(people["owner"], name="Owner deal")
    theirs = make_opportunity(owner=people["outsider"], name="Outsider deal")
    url = reverse("pipeline:handoff-list")
    client.force_login(people["product"])
    with django_assert_max_num_queries(12) as few:
        html = client.get(url).content.decode()
    assert "Owner deal" in html and "Outsider deal" in html
    for index in range(4):
        make_opportunity(owner=people["outsider"], name=f"More {index}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert "More 3" in client.get(url).content.decode()
    services.handoff_confirm_feasibility(opportunity=mine, by=people["product"])
    html = client.get(url).content.decode()
    assert "Owner deal" not in html and "Outsider deal" in html
    html = client.get(url, {"status": "all", "account": mine.account_id}).content.decode()
    assert "Owner deal" in html and "Outsider deal" not in html and f"Confirmed by {people['product']}" in html
    assert theirs.pk


def test_a_rep_lists_only_their_own_deals_and_bad_filters_are_ignored(client, people):
    in_negotiation(people["owner"], name="Owner deal")
    make_opportunity(owner=people["outsider"], name="Outsider deal")
    client.force_login(people["owner"])
    response = client.get(reverse("pipeline:handoff-list"), {"status": "nope", "account": "x" * 30})
    html = response.content.decode()
    assert response.status_code == 200 and "Owner deal" in html and "Outsider deal" not in html


def test_the_handoffs_entry_in_the_navigation_is_for_product(client, people):
    client.force_login(people["product"])
    assert 'data-nav="handoffs"' in client.get(reverse("pipeline:handoff-list")).content.decode()
    client.force_login(people["owner"])
    assert 'data-nav="handoffs"' not in client.get(reverse("pipeline:list")).content.decode()


def test_the_nightly_catch_up_opens_what_an_on_commit_run_missed(people, settings):
    won = in_negotiation(people["owner"], name="Missed")
    won = move(won, "closed_won", people["owner"])  # on-commit callbacks never run in this test
    complete_one = in_negotiation(people["owner"], name="Done")
    complete_one = move(complete_one, "closed_won", people["owner"])
    services.handoff_onboarding_open(opportunity_id=complete_one.pk)
    imported = make_opportunity(owner=people["owner"], name="History")
    services.opportunity_import_stage(opportunity=imported, to_stage=stage("closed_won"))
    assert services.handoff_onboarding_catch_up() == 1
    assert len(onboarding(won)) == 3 and len(onboarding(complete_one)) == 3 and onboarding(imported) == []
    assert services.handoff_onboarding_catch_up() == 0
    assert settings.CELERY_BEAT_SCHEDULE["pipeline-handoff-onboarding-catch-up"]["task"] == (
        "pipeline.tasks.handoff_onboarding_catch_up_task")
    from pipeline.tasks import handoff_onboarding_catch_up_task
    assert handoff_onboarding_catch_up_task() == 0
