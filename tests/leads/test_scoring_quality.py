"""A rule set's quality on history: the set-based SQL (one GROUP BY score over the compiled scoring
statement) agrees with a Python reference computed lead by lead with leads.scoring; the period,
segment and the viewer's scope narrow it; the API and the page show it."""
import itertools
import random
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from leads import scoring
from leads.models import EventType, Lead, LeadEvent, RuleSet
from leads.services.scoring import rule_set_create_draft, rule_set_save_draft, rule_set_spec
from leads.services.scoring_quality import Segment, quality_histogram, rule_set_quality
from tests.leads.factories import LeadFactory

pytestmark = pytest.mark.django_db
DAY = date(2026, 3, 10)


@pytest.fixture
def history(org):
    """60 leads with random attributes, events, outcomes, sources and creation days, and a draft
    with attribute and behaviour rules (one worth 0 points: it still fires)."""
    rng = random.Random(16)
    published = RuleSet.objects.get(status="published")
    draft = rule_set_create_draft(by=org["admin"], name="Quality", copy_from=published)
    types = list(EventType.objects.all())
    draft.attribute_rules.create(field="job_title", operator="contains", value="chief", points=7)
    draft.attribute_rules.create(field="total_visits", operator="gt", value=3, points=12)
    draft.attribute_rules.create(field="origin", operator="is_set", value=None, points=0)
    draft.behaviour_rules.create(event_type=types[0], points=5, max_count=2, window_days=30)
    draft.behaviour_rules.create(event_type=types[1], points=-3, max_count=None, window_days=None)
    now = timezone.now()
    owners = [org["owner"], org["teammate"], org["outsider"], None]
    for i in range(60):
        lead = LeadFactory(
            industry=rng.choice(["technology", "finance", "retail", ""]), company_size=rng.choice([None, 10, 5000]),
            job_title=rng.choice(["Chief Officer", "analyst", ""]), total_visits=rng.choice([None, 0, 3, 4, 9]),
            origin=rng.choice(["", "Landing Page"]), source=rng.choice(["website", "referral", "event"]),
            owner=rng.choice(owners),
            converted_at=now if rng.random() < 0.4 else None, imported_converted=rng.random() < 0.1)
        if lead.converted_at and rng.random() < 0.5:
            Lead.objects.filter(pk=lead.pk).update(won_at=now)
        Lead.objects.filter(pk=lead.pk).update(
            created_at=timezone.make_aware(timezone.datetime.combine(DAY + timedelta(days=i % 20), timezone.datetime.min.time()))
            + timedelta(hours=rng.randint(0, 23)))
        for _ in range(rng.randint(0, 4)):
            LeadEvent.objects.create(lead=lead, event_type=rng.choice(types[:2]),
                                     occurred_at=now - timedelta(days=rng.choice([1, 20, 45, 400])))
    return draft


def reference(draft, leads, now):
    """Lead by lead in Python: the histogram, per-rule fires and a pairwise AUC."""
    spec = rule_set_spec(draft)
    hist, fires, scored = {}, [[0, 0] for _ in spec.rules], []
    for lead in leads:
        events = [(e.event_type.code, e.occurred_at) for e in lead.events.select_related("event_type")]
        score = scoring.score_lead(spec, {f: getattr(lead, f) for f in scoring.FIELDS}, events, now).score
        converted = lead.converted_at is not None or lead.imported_converted
        won = lead.won_at is not None or lead.imported_converted
        row = hist.setdefault(score, [0, 0, 0])
        row[0] += 1
        row[1] += converted
        row[2] += won
        for i, rule in enumerate(spec.rules):
            if i < len(spec.attribute_rules):
                fired = scoring.attribute_matches(rule, getattr(lead, rule.field))
            else:
                since = scoring.window_start(now, rule.window_days)
                fired = any(code == rule.event_type and (since is None or at >= since) for code, at in events)
            fires[i][0] += fired
            fires[i][1] += fired and converted
        scored.append((score, converted))
    pos = [s for s, c in scored if c]
    neg = [s for s, c in scored if not c]
    pairs = sum(1.0 if p > n else 0.5 if p == n else 0.0 for p, n in itertools.product(pos, neg))
    rows = [(s, *v) for s, v in sorted(hist.items())]
    return {"rows": rows, "fires": fires}, pairs / (len(pos) * len(neg))


def test_the_sql_histogram_and_figures_agree_with_python_lead_by_lead(history, org):
    now = timezone.now()
    got = quality_histogram(rule_set=history, user=org["admin"], now=now)
    expected, pairwise_auc = reference(history, Lead.objects.all(), now)
    assert got == expected
    origin = next(i for i, r in enumerate(rule_set_spec(history).rules) if getattr(r, "field", "") == "origin")
    assert got["fires"][origin][0] == Lead.objects.exclude(origin="").count() > 0  # a 0-point rule fires too
    report = rule_set_quality(rule_set=history, user=org["admin"], now=now)
    assert report["leads"] == 60
    assert report["auc"] == pytest.approx(pairwise_auc)
    assert sum(g["leads"] for g in report["grades"]) == 60
    assert sum(d["leads"] for d in report["deciles"]) == 60 and len(report["deciles"]) == 10
    assert sum(d["positives"] for d in report["deciles"]) == pytest.approx(report["converted"])
    assert [r["fires"] for r in report["rules"]] == [f[0] for f in expected["fires"]]


def test_the_period_and_segment_narrow_the_leads(history, org):
    now = timezone.now()
    segment = Segment(start=DAY + timedelta(days=3), end=DAY + timedelta(days=12), sources=("website", "event"),
                      team=org["east"].pk)
    got = quality_histogram(rule_set=history, user=org["admin"], segment=segment, now=now)
    local = timezone.get_current_timezone()
    leads = [lead for lead in Lead.objects.select_related("owner")
             if segment.start <= lead.created_at.astimezone(local).date() <= segment.end
             and lead.source in segment.sources and lead.owner and lead.owner.team_id == org["east"].pk]
    assert 0 < len(leads) < 60
    assert got == reference(history, leads, now)[0]


def test_a_manager_sees_the_quality_of_their_team_only_and_a_rep_none(history, org):
    now = timezone.now()
    got = quality_histogram(rule_set=history, user=org["mgr"], now=now)
    team = [lead for lead in Lead.objects.select_related("owner") if lead.owner and lead.owner.team_id == org["east"].pk]
    assert got == reference(history, team, now)[0]
    with pytest.raises(PermissionDenied):
        quality_histogram(rule_set=history, user=org["owner"])


def test_no_leads_gives_empty_figures(org):
    draft = rule_set_save_draft(by=org["marketing"], name="Flat", attribute_rules=[], behaviour_rules=[],
                                grades=[{"name": "Everyone", "lower_bound": None}])
    report = rule_set_quality(rule_set=draft, user=org["admin"])
    assert (report["leads"], report["auc"], report["deciles"], report["rules"]) == (0, None, [], [])
    assert report["grades"][0]["conversion"] is None


class TestApi:
    def url(self, rule_set):
        return f"/api/v1/scoring/rule-sets/{rule_set.pk}/quality/"

    def test_marketing_gets_the_figures(self, history, org, api):
        response = api.as_user(org["marketing"]).get(self.url(history), {"start": "2026-03-10", "end": "2026-03-20",
                                                                          "source": ["website", "referral"]})
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["segment"]["start"] == "2026-03-10" and body["segment"]["source"] == ["website", "referral"]
        expected = quality_histogram(rule_set=history, user=org["marketing"], segment=Segment(
            start=date(2026, 3, 10), end=date(2026, 3, 20), sources=("website", "referral")))
        assert body["leads"] == sum(r[1] for r in expected["rows"])
        assert {"auc", "deciles", "grades", "rules", "calibration"} <= set(body)

    @pytest.mark.parametrize("params", [{"start": "2026-13-01"}, {"end": "yesterday"},
                                        {"start": "2026-03-20", "end": "2026-03-01"}, {"owner": "x"},
                                        {"source": "nowhere"}, {"start": ""}, {"team": ["1", "2"]}])
    def test_bad_filters_are_a_400_with_a_message(self, org, api, params):
        flat = rule_set_save_draft(by=org["marketing"], name="Flat", attribute_rules=[], behaviour_rules=[],
                                   grades=[{"name": "Everyone", "lower_bound": None}])
        response = api.as_user(org["marketing"]).get(self.url(flat), params)
        assert response.status_code == 400
        field = next(iter(params)) if len(params) == 1 else "non_field_errors"
        assert response.json()[field][0]

    def test_a_sales_rep_may_not(self, org, api):
        assert api.as_user(org["owner"]).get(self.url(RuleSet.objects.get(status="published"))).status_code == 403


def test_the_backtest_page_shows_quality_tables_and_charts(history, org, client):
    client.force_login(org["marketing"])
    url = reverse("leads:rule-set", args=[history.pk])
    response = client.get(url, {"backtest": 1})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="quality-grades"' in html and 'id="quality-deciles"' in html and 'id="quality-rules"' in html
    assert 'data-chart="quality-lift-data"' in html and 'id="quality-lift-data"' in html
    assert 'data-chart="quality-grades-data"' in html
    bad = client.get(url, {"backtest": 1, "start": "nope"})
    assert bad.status_code == 200 and "YYYY-MM-DD" in bad.content.decode()
