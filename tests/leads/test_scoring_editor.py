"""The scoring editor page (marketing edits a draft with pickers, no JSON) and the rule-set list."""
import pytest
from django.urls import reverse
from django.utils import translation

from leads.models import AttributeRule, RuleSet
from leads.scoring_display import condition_display, seeded_text
from leads.scoring_editor import RuleSetEditor
from leads.services.scoring import rule_set_create_draft
from tests.leads.factories import LeadFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(org):
    return rule_set_create_draft(by=org["marketing"], name="Draft", copy_from=RuleSet.objects.get(status="published"))


def editor_post(draft, **changes):
    """The POST the page sends for `draft` unchanged (as rendered), with `changes` applied."""
    editor = RuleSetEditor(draft)
    data = {"name": draft.name, "notes": draft.notes}
    for formset in editor.formsets:
        for key, value in formset.management_form.initial.items():
            data[f"{formset.prefix}-{key}"] = value
        for form in formset.forms[:formset.initial_form_count()]:
            for name, field in form.fields.items():
                value = form.initial.get(name, field.initial)
                if value is None or name == "DELETE":
                    continue
                data[form.add_prefix(name)] = value
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def rules_of(rule_set):
    return [(r.field, r.operator, r.value, r.points, r.label) for r in rule_set.attribute_rules.order_by("id")]


def test_marketing_edits_a_rule_with_pickers_and_it_is_saved_through_the_service(client, org, draft):
    client.force_login(org["marketing"])
    url = reverse("leads:rule-set-edit", args=[draft.pk])
    page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert 'name="attr-0-choices_industry"' in body and 'value="technology"' in body  # a checkbox, not JSON
    data = editor_post(draft, **{"attr-0-choices_industry": ["finance", "retail"], "attr-0-points": "30",
                                 "attr-1-number": "500"})
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    draft.refresh_from_db()
    assert rules_of(draft) == [
        ("industry", "in", ["finance", "retail"], 30, "Industry is Technology or Finance"),
        ("company_size", "gt", 500, 10, "Company size over 1,000"),
    ]
    assert draft.behaviour_rules.count() == 3 and draft.grades.count() == 3


def test_a_new_rule_and_a_deleted_rule(client, org, draft):
    client.force_login(org["marketing"])
    url = reverse("leads:rule-set-edit", args=[draft.pk])
    data = editor_post(draft, **{"attr-TOTAL_FORMS": "3", "attr-0-DELETE": "on",
                                 "attr-2-field": "job_title", "attr-2-operator": "contains",
                                 "attr-2-text": "director", "attr-2-points": "5"})
    assert client.post(url, data).status_code == 302
    assert rules_of(draft) == [("company_size", "gt", 1000, 10, "Company size over 1,000"),
                               ("job_title", "contains", "director", 5, "")]


@pytest.mark.parametrize("changes, message", [
    ({"attr-1-operator": "contains"}, "cannot be used with"),       # contains on a number
    ({"attr-0-choices_industry": []}, "Pick at least one value."),
    ({"attr-1-number": "abc"}, "Enter a number."),
    ({"attr-0-points": "5000"}, "less than or equal to 1000"),
    ({"grade-2-lower_bound": "10"}, "Exactly one grade must have no lower bound"),
    ({"grade-1-name": "MQL"}, "Grade names must be unique."),
])
def test_bad_values_are_refused_with_a_message_and_nothing_changes(client, org, draft, changes, message):
    client.force_login(org["marketing"])
    before = (rules_of(draft), list(draft.grades.values_list("name", "lower_bound")))
    data = editor_post(draft, **changes)
    response = client.post(reverse("leads:rule-set-edit", args=[draft.pk]), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert (rules_of(draft), list(draft.grades.values_list("name", "lower_bound"))) == before


def test_messages_are_translated(client, org, draft):
    client.force_login(org["marketing"])
    data = editor_post(draft, **{"grade-1-name": "MQL"})
    client.cookies["django_language"] = "zh-hans"
    response = client.post(reverse("leads:rule-set-edit", args=[draft.pk]), data)
    assert response.status_code == 400
    body = response.content.decode()
    assert "等级名称不能重复。" in body and "Grade names must be unique." not in body


def test_published_sets_are_read_only(client, org):
    published = RuleSet.objects.get(status="published")
    before = rules_of(published)
    client.force_login(org["marketing"])
    url = reverse("leads:rule-set-edit", args=[published.pk])
    assert client.get(url).status_code == 302
    response = client.post(url, editor_post(published, **{"attr-0-points": "99"}))
    assert response.status_code == 302
    assert rules_of(published) == before


def test_only_marketing_edits(client, org, draft):
    client.force_login(org["owner"])
    assert client.get(reverse("leads:rule-set-edit", args=[draft.pk])).status_code == 403
    assert client.post(reverse("leads:rule-set-copy", args=[draft.pk])).status_code == 403


def test_would_change_grade_equals_a_hand_count(client, org, draft):
    # the published set: technology/finance +15, size > 1000 +10; MQL >= 50, SQL >= 30, else Lead
    from leads.services.scoring import lead_rescore
    leads = [LeadFactory(industry="finance", company_size=5000, owner=org["owner"]),    # 25 Lead
             LeadFactory(industry="retail", company_size=5000, owner=org["owner"]),     # 10 Lead
             LeadFactory(industry="technology", company_size=10, owner=org["owner"])]   # 15 Lead
    for lead in leads:
        lead_rescore(lead_id=lead.pk, reason="data")
    client.force_login(org["marketing"])
    url = reverse("leads:rule-set-edit", args=[draft.pk])
    # finance/technology now +30: the first lead reaches 40 (SQL), the third 30 (SQL), the second stays
    assert client.post(url, editor_post(draft, **{"attr-0-points": "30"})).status_code == 302
    body = client.get(url).content.decode()
    assert 'data-would-change="2"' in body


def test_the_list_counts_rules(client, org, draft):
    draft.attribute_rules.first().delete()
    client.force_login(org["marketing"])
    body = client.get(reverse("leads:rule-sets")).content.decode()
    published = RuleSet.objects.get(status="published")
    assert f'<tr data-rule-set="{published.pk}">' in body
    assert body.count('data-rule-count="5"') == 1 and body.count('data-rule-count="4"') == 1


def test_copy_makes_a_draft_and_opens_the_editor(client, org):
    published = RuleSet.objects.get(status="published")
    client.force_login(org["marketing"])
    response = client.post(reverse("leads:rule-set-copy", args=[published.pk]))
    copy = RuleSet.objects.get(status="draft")
    assert response.url == reverse("leads:rule-set-edit", args=[copy.pk])
    assert rules_of(copy) == rules_of(published)


def test_seeded_names_and_conditions_are_translated():
    rule = AttributeRule(field="industry", operator="in", value=["technology", "finance"], points=1)
    with translation.override("zh-hans"):
        assert seeded_text("Default (playbook example)") == "默认（销售手册示例）"
        assert seeded_text("Default (playbook example) (v1 copy)").endswith(" (v1 copy)")
        assert seeded_text("Typed by a person") == "Typed by a person"
        text = condition_display(rule)
        assert text.startswith("行业 属于以下之一 科技")
        assert "technology" not in text and "finance" not in text
    with translation.override("en"):
        assert condition_display(rule) == "Industry is one of Technology, Finance"


def test_on_a_big_database_the_count_is_one_click_away(client, org, draft, settings):
    settings.LEADS_EDITOR_INLINE_BACKTEST_MAX = 0
    LeadFactory(industry="finance", owner=org["owner"])
    client.force_login(org["marketing"])
    url = reverse("leads:rule-set-edit", args=[draft.pk])
    body = client.get(url).content.decode()
    assert 'data-action="count-changes"' in body and "data-would-change" not in body
    assert 'data-would-change="' in client.get(url, {"count": 1}).content.decode()


@pytest.mark.parametrize("data", [
    {},
    {"attr-TOTAL_FORMS": "x", "attr-INITIAL_FORMS": "0"},
    {"attr-TOTAL_FORMS": "100000", "attr-INITIAL_FORMS": "0", "beh-TOTAL_FORMS": "0", "beh-INITIAL_FORMS": "0",
     "grade-TOTAL_FORMS": "0", "grade-INITIAL_FORMS": "0", "name": "x"},
    {"attr-0-field": "nope", "attr-0-operator": "in", "attr-0-number": "1e400", "attr-0-points": "NaN"},
])
def test_garbage_is_refused_without_a_500_and_changes_nothing(client, org, draft, data):
    client.force_login(org["marketing"])
    before = rules_of(draft)
    base = editor_post(draft)
    response = client.post(reverse("leads:rule-set-edit", args=[draft.pk]), {**base, **data} if data else {})
    assert response.status_code == 400
    assert rules_of(draft) == before
