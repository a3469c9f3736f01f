"""Scoring in the admin (marketing) and on the scoring pages."""
import pytest
from django.urls import reverse

from leads.models import AttributeRule, RuleSet
from tests.leads.factories import LeadFactory

pytestmark = pytest.mark.django_db


def inline_data(rule_set, attribute_rules, grades):
    """POST data for the rule set change form with its three inlines."""
    data = {"name": rule_set.name, "notes": rule_set.notes}
    for prefix, rows, fields in (
        ("attribute_rules", attribute_rules, ("id", "field", "operator", "value", "points", "label")),
        ("behaviour_rules", [], ()),
        ("grades", grades, ("id", "name", "lower_bound")),
    ):
        data[f"{prefix}-TOTAL_FORMS"] = str(len(rows))
        data[f"{prefix}-INITIAL_FORMS"] = str(sum(1 for r in rows if r.get("id")))
        data[f"{prefix}-MIN_NUM_FORMS"] = "0"
        data[f"{prefix}-MAX_NUM_FORMS"] = "1000"
        for i, row in enumerate(rows):
            for field in fields:
                data[f"{prefix}-{i}-{field}"] = row.get(field, "")
            data[f"{prefix}-{i}-rule_set"] = rule_set.pk
    return data


@pytest.fixture
def draft(org):
    from leads.services.scoring import rule_set_create_draft
    return rule_set_create_draft(by=org["marketing"], name="Draft", copy_from=RuleSet.objects.get(status="published"))


def test_a_rep_has_no_admin_access(client, org):
    client.force_login(org["owner"])
    response = client.get(reverse("admin:leads_ruleset_changelist"))
    assert response.status_code == 302 and "/admin/login/" in response.url


def test_marketing_sees_scoring_in_the_admin_but_not_users(client, org):
    org["marketing"].is_staff = True
    org["marketing"].save()
    client.force_login(org["marketing"])
    assert client.get(reverse("admin:leads_ruleset_changelist")).status_code == 200
    assert client.get(reverse("admin:teams_user_changelist")).status_code == 403


def test_marketing_edits_a_draft_rule_in_the_admin(client, org, draft):
    org["marketing"].is_staff = True
    org["marketing"].save()
    client.force_login(org["marketing"])
    rule = draft.attribute_rules.get(field="company_size")
    grades = [{"id": g.pk, "name": g.name, "lower_bound": "" if g.lower_bound is None else g.lower_bound}
              for g in draft.grades.all()]
    data = inline_data(draft, [{"id": rule.pk, "field": "company_size", "operator": "gt", "value": "500",
                                "points": "25", "label": "Size over 500"}], grades)
    # keep the other attribute rule out of the formset: deleting is not what we test here
    response = client.post(reverse("admin:leads_ruleset_change", args=[draft.pk]), data)
    assert response.status_code == 302, response.context["errors"] if response.context else response
    # saved through rule_set_save_draft, which replaces the draft's rows: find the rule again
    rule = draft.attribute_rules.get(field="company_size")
    assert (rule.value, rule.points) == (500, 25)
    assert draft.attribute_rules.filter(field="industry").exists()  # rows left out of the form stay


def test_an_invalid_rule_is_refused_in_the_admin_with_a_message(client, org, draft):
    org["marketing"].is_staff = True
    org["marketing"].save()
    client.force_login(org["marketing"])
    rule = draft.attribute_rules.get(field="company_size")
    grades = [{"id": g.pk, "name": g.name, "lower_bound": "" if g.lower_bound is None else g.lower_bound}
              for g in draft.grades.all()]
    data = inline_data(draft, [{"id": rule.pk, "field": "industry", "operator": "gt", "value": "5",
                                "points": "25"}], grades)
    response = client.post(reverse("admin:leads_ruleset_change", args=[draft.pk]), data)
    assert response.status_code == 200
    assert "only work on numeric fields" in response.content.decode()
    rule.refresh_from_db()
    assert (rule.field, rule.points) == ("company_size", 10)


def test_published_rule_sets_are_read_only_in_the_admin(client, org):
    org["marketing"].is_staff = True
    org["marketing"].save()
    client.force_login(org["marketing"])
    published = RuleSet.objects.get(status="published")
    body = client.get(reverse("admin:leads_ruleset_change", args=[published.pk])).content.decode()
    assert 'name="attribute_rules-0-points"' not in body


def test_the_rule_set_page_shows_rules_and_backtest_for_marketing(client, org, draft):
    LeadFactory(industry="finance", owner=org["owner"])
    client.force_login(org["marketing"])
    body = client.get(reverse("leads:rule-set", args=[draft.pk]), {"backtest": 1}).content.decode()
    assert "Industry is Technology or Finance" in body
    assert 'id="backtest-grades"' in body


def test_a_rep_reads_rules_but_cannot_publish_or_backtest(client, org, draft):
    client.force_login(org["owner"])
    body = client.get(reverse("leads:rule-set", args=[draft.pk]), {"backtest": 1}).content.decode()
    assert "backtest-grades" not in body and "publish-form" not in body
    assert client.post(reverse("leads:rule-set-publish", args=[draft.pk])).status_code == 403
    assert RuleSet.objects.get(pk=draft.pk).status == "draft"


def test_publishing_from_the_page_rescores_and_shows_progress(client, org, draft, django_capture_on_commit_callbacks):
    lead = LeadFactory(industry="finance", company_size=600, owner=org["owner"])
    AttributeRule.objects.filter(rule_set=draft, field="company_size").update(value=500, points=25)
    client.force_login(org["marketing"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("leads:rule-set-publish", args=[draft.pk]))
    assert response.status_code == 302
    body = client.get(response.url).content.decode()
    assert 'data-job-status="done"' in body, body
    lead.refresh_from_db()
    assert (lead.score, lead.grade) == (40, "SQL")
