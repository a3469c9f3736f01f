"""The demo registry (salesops/demo.py) and `manage.py seed_demo`, which only reads it."""
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone, translation

from customers.models import Account
from leads.models import Lead, LeadEvent
from pipeline.models import Opportunity, StageTransition
from salesops import demo
from teams.models import User


def test_loaders_run_lowest_order_first_and_register_once_per_name(monkeypatch):
    monkeypatch.setattr(demo, "_loaders", {})
    demo.register(40, "pipeline", lambda today: "deals")
    demo.register(10, "teams", lambda today: "people")
    demo.register(10, "teams", lambda today: "people again")  # ready() ran twice: replaced, not doubled
    assert [(loader.order, loader.name, loader.load(None)) for loader in demo.loaders()] == [
        (10, "teams", "people again"), (40, "pipeline", "deals")]


def test_each_app_registers_its_loader_in_ready():
    assert [(loader.order, loader.name) for loader in demo.loaders()] == [
        (10, "teams"), (11, "teams_kb"), (20, "leads"), (40, "pipeline"), (41, "pipeline_kb"),
        (45, "customers-accounts"), (46, "customers-contracts"), (47, "customers-retention"),
        (48, "customers-activities"), (49, "pipeline-activities"), (50, "customers-surveys"), (60, "teams-training"),
        (70, "teams-onboarding"), (80, "customers-health"), (85, "teams-compensation"),
        (90, "dashboards")]


@pytest.mark.django_db
@translation.override("en")  # commands speak the active language; an earlier test may have left zh-hans on
def test_seed_demo_runs_every_loader_and_a_second_run_adds_nothing():
    first = StringIO()
    call_command("seed_demo", stdout=first)
    counts = {model: model.objects.count() for model in (User, Lead, LeadEvent, Account, Opportunity, StageTransition)}
    assert counts[User] == 16 and counts[Lead] == 240  # 15 people and onboarding's recent hire (h10) and counts[Opportunity] > 0
    assert "240 new leads" in first.getvalue() and f"{counts[Opportunity]} new opportunities" in first.getvalue()

    second = StringIO()
    call_command("seed_demo", stdout=second)
    assert {model: model.objects.count() for model in counts} == counts
    assert "0 new leads, 0 new behaviour events" in second.getvalue()
    assert "0 new opportunities" in second.getvalue()
    assert "0 accounts given a success owner" in second.getvalue()
    assert "1 new onboarding plan" in first.getvalue() and "0 new onboarding plans" in second.getvalue()  # h10
    success = User.objects.get(username="success")
    assert not Account.objects.filter(external_ref__startswith="demo:", success_owner__isnull=True).exists()
    assert Account.objects.filter(success_owner=success).exclude(domain="").exists()
    assert set(User.objects.filter(username__in=["support", "product"]).values_list("role", flat=True)) == {
        User.Role.SUPPORT, User.Role.PRODUCT}
    assert "0 new activities, 0 new tasks" in second.getvalue() and "0 new deal activities" in second.getvalue()
    from customers.models import Activity  # the demo's activities: some logged late, some tasks overdue
    from customers.selectors import late_q
    assert Activity.objects.filter(late_q()).exclude(kind="task").exists()
    assert Activity.objects.filter(kind="task", done_at__isnull=True, due_at__lt=timezone.now()).exists()
