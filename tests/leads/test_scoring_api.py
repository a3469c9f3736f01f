"""Scoring API: rule sets (read for all, write for marketing), backtest, publish, jobs."""
from datetime import timedelta

import pytest
from django.utils import timezone

from leads.models import EventType, Lead, LeadEvent, RescoreJob, RuleSet
from leads.services.scoring import leads_rescore_range
from tests.leads.factories import LeadFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/scoring/rule-sets/"


def draft_payload(**overrides):
    payload = {
        "name": "Webinar heavy",
        "attribute_rules": [{"field": "industry", "operator": "in", "value": ["technology", "finance"], "points": 15,
                             "label": "Target industry"}],
        "behaviour_rules": [{"event_type": "webinar_attended", "points": 40, "max_count": 1, "label": "Webinar"}],
        "grades": [{"name": "MQL", "lower_bound": 50}, {"name": "SQL", "lower_bound": 30},
                   {"name": "Lead", "lower_bound": None}],
    }
    return {**payload, **overrides}


@pytest.fixture
def scored_leads(org):
    webinar = EventType.objects.get(code="webinar_attended")
    tech = LeadFactory(owner=org["owner"], industry="technology", company_size=50, converted_at=timezone.now())
    retail = LeadFactory(owner=org["owner"], industry="retail", company_size=50)
    for lead in (tech, retail):
        LeadEvent.objects.create(lead=lead, event_type=webinar, occurred_at=timezone.now() - timedelta(days=1))
    leads_rescore_range(lo=tech.pk, hi=retail.pk, reason="data")
    tech.refresh_from_db()
    retail.refresh_from_db()
    assert (tech.grade, retail.grade) == ("SQL", "Lead")
    return tech, retail


def test_every_signed_in_user_reads_the_published_rule_set(api, org):
    body = api.as_user(org["owner"]).get(URL).json()
    published = [rs for rs in body["results"] if rs["status"] == "published"]
    assert len(published) == 1
    assert [r["points"] for r in published[0]["attribute_rules"]] == [15, 10]
    assert [r["event_type"] for r in published[0]["behaviour_rules"]] == [
        "whitepaper_download", "webinar_attended", "pricing_page_visit"]


def test_a_rep_cannot_create_publish_or_backtest(api, org):
    client = api.as_user(org["owner"])
    assert client.post(URL, draft_payload(), format="json").status_code == 403
    published = RuleSet.objects.get(status="published")
    assert client.post(f"{URL}{published.pk}/publish/").status_code == 403
    assert client.get(f"{URL}{published.pk}/backtest/").status_code == 403
    assert RuleSet.objects.count() == 1


def test_marketing_creates_backtests_and_publishes_a_draft(api, org, scored_leads, django_capture_on_commit_callbacks):
    tech, retail = scored_leads
    client = api.as_user(org["marketing"])
    response = client.post(URL, draft_payload(), format="json")
    assert response.status_code == 201, response.json()
    draft_id = response.json()["id"]
    backtest = client.get(f"{URL}{draft_id}/backtest/").json()
    grades = {g["grade"]: g for g in backtest["grades"]}
    assert backtest["total"] == 2
    assert grades["MQL"]["proposed"] == 1 and grades["MQL"]["current"] == 0
    assert grades["MQL"]["conversion_rate"] == 1.0
    assert {"from": "SQL", "to": "MQL", "count": 1} in backtest["moves"]
    assert {"from": "Lead", "to": "SQL", "count": 1} in backtest["moves"]
    assert [s["id"] for s in backtest["sample"]] == [tech.pk, retail.pk]
    # nothing changed by the backtest
    tech.refresh_from_db()
    assert tech.grade == "SQL"
    with django_capture_on_commit_callbacks(execute=True):
        job = client.post(f"{URL}{draft_id}/publish/").json()
    assert job["total"] == 2
    tech.refresh_from_db()
    retail.refresh_from_db()
    assert (tech.score, tech.grade) == (55, "MQL")
    assert (retail.score, retail.grade) == (40, "SQL")
    assert RuleSet.objects.get(pk=draft_id).status == "published"
    assert RuleSet.objects.filter(status="published").count() == 1
    assert RescoreJob.objects.get(pk=job["id"]).status == "done"
    lead = client.get(f"/api/v1/leads/{tech.pk}/").json()
    assert lead["score_breakdown"] == [{"rule": "Target industry", "points": 15}, {"rule": "Webinar", "points": 40}]


@pytest.mark.parametrize("bad, key", [
    ({"attribute_rules": [{"field": "shoe_size", "operator": "gt", "value": 3, "points": 1}]}, "attribute_rules"),
    ({"attribute_rules": [{"field": "industry", "operator": "gt", "value": 3, "points": 1}]}, "attribute_rules[0]"),
    ({"attribute_rules": [{"field": "company_size", "operator": "gt", "value": "big", "points": 1}]}, "attribute_rules[0]"),
    ({"behaviour_rules": [{"event_type": "telepathy", "points": 1}]}, "behaviour_rules"),
    ({"grades": [{"name": "A", "lower_bound": 10}]}, "grades"),
    ({"grades": [{"name": "A", "lower_bound": None}, {"name": "A", "lower_bound": 5}]}, "grades"),
])
def test_invalid_rules_are_refused_and_nothing_is_saved(api, org, bad, key):
    response = api.as_user(org["marketing"]).post(URL, draft_payload(**bad), format="json")
    assert response.status_code == 400
    assert key in response.json(), response.json()
    assert RuleSet.objects.count() == 1


def test_published_sets_cannot_be_changed_or_deleted(api, org):
    published = RuleSet.objects.get(status="published")
    client = api.as_user(org["marketing"])
    assert client.put(f"{URL}{published.pk}/", draft_payload(), format="json").status_code == 400
    assert client.delete(f"{URL}{published.pk}/").status_code == 400
    assert client.post(f"{URL}{published.pk}/publish/").status_code == 400
    assert RuleSet.objects.get(pk=published.pk).attribute_rules.count() == 2


def test_copy_makes_an_editable_draft(api, org):
    published = RuleSet.objects.get(status="published")
    response = api.as_user(org["marketing"]).post(f"{URL}{published.pk}/copy/", {}, format="json")
    assert response.status_code == 201
    assert response.json()["status"] == "draft"
    assert response.json()["version"] == published.version + 1
    assert len(response.json()["behaviour_rules"]) == 3


def test_rescore_jobs_are_resumable_and_idempotent(org):
    from leads.services.scoring import rescore_job_run
    leads = LeadFactory.create_batch(5, industry="finance")
    draft = RuleSet.objects.get(status="published")
    job = RescoreJob.objects.create(rule_set=draft, total=5, last_id=leads[0].pk - 1, max_id=leads[-1].pk)
    job = rescore_job_run(job_id=job.pk, batch_size=2)
    assert (job.status, job.processed, job.changed) == ("done", 5, 5)
    assert set(Lead.objects.values_list("score", flat=True)) == {15}


def test_a_set_with_only_the_open_grade_backtests_and_publishes(api, org, django_capture_on_commit_callbacks):
    lead = LeadFactory(industry="finance", owner=org["owner"])
    client = api.as_user(org["marketing"])
    draft = client.post(URL, draft_payload(grades=[{"name": "Everyone", "lower_bound": None}]), format="json").json()
    assert client.get(f"{URL}{draft['id']}/backtest/").json()["grades"][0]["proposed"] == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"{URL}{draft['id']}/publish/").status_code == 202
    lead.refresh_from_db()
    assert (lead.score, lead.grade) == (15, "Everyone")


def test_copy_refuses_a_body_that_is_not_an_object(api, org):
    published = RuleSet.objects.get(status="published")
    response = api.as_user(org["marketing"]).post(f"{URL}{published.pk}/copy/", [1, 2], format="json")
    assert response.status_code == 400
    assert RuleSet.objects.count() == 1


def test_a_patch_with_incomplete_rules_is_a_400_and_changes_nothing(api, org):
    client = api.as_user(org["marketing"])
    draft = client.post(URL, draft_payload(), format="json").json()
    response = client.patch(f"{URL}{draft['id']}/", {"behaviour_rules": [{"points": 5}]}, format="json")
    assert response.status_code == 400 and "behaviour_rules" in response.json()
    assert RuleSet.objects.get(pk=draft["id"]).behaviour_rules.get().points == 40
