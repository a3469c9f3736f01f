"""customers.retention_selectors on the hand-counted contract book of retention_fixture."""
from datetime import date
from decimal import Decimal as D

import pytest

from customers.retention_selectors import cohort_rows, contract_queryset_for, retention_report
from salesops.metrics import Scope

from .retention_fixture import END, START, TODAY, build

pytestmark = pytest.mark.django_db


def report(user, **kw):
    return retention_report(scope=Scope(user, kw.pop("team_id", None), kw.pop("owner_id", None)),
                            start=kw.pop("start", START), end=kw.pop("end", END), today=TODAY, **kw)


class TestCohort:
    def test_a_reps_cohort_counted_by_hand(self, org):
        build(org)
        rows = cohort_rows(contracts=contract_queryset_for(scope=Scope(org["owner"])), start=START, end=END,
                           currency="CNY", today=TODAY)
        got = {row.account_id: row for row in rows}
        by_name = {a.name: a.pk for a in org["owner"].accounts.all()}
        assert set(got) == {by_name[n] for n in ("a1", "a2", "a3", "a4")}
        a2, a3, a4 = got[by_name["a2"]], got[by_name["a3"]], got[by_name["a4"]]
        assert (a2.start_mrr, a2.end_mrr, a2.retained, a2.term, a2.tenure_months) == (D(200), D(260), True, "one_year", 12)
        assert (a3.start_mrr, a3.end_mrr, a3.term, a3.tenure_months) == (D(300), D(240), "month_to_month", 3)
        assert (a4.retained, a4.tenure_months) == (False, 9)
        assert got[by_name["a1"]].tenure_months == 7


class TestReport:
    def test_the_reps_figures(self, org):
        build(org)
        rep = report(org["owner"])
        m = rep.total.movement
        assert (m.accounts, m.churned_accounts, m.start_mrr, m.expansion, m.contraction, m.churned_mrr) == (
            4, 1, D(1000), D(60), D(60), D(400))
        assert rep.total.logo_churn == pytest.approx(0.25)
        assert rep.total.revenue_churn == pytest.approx(0.46)
        assert (rep.total.grr, rep.total.nrr) == (pytest.approx(0.54), pytest.approx(0.60))
        assert rep.total.tenure_churned == pytest.approx(9)
        assert rep.total.tenure_retained == pytest.approx((7 + 12 + 3) / 3)
        assert rep.arpa == D(250)
        assert rep.lifetime_months == pytest.approx(4.0)
        assert rep.ltv == pytest.approx(250 * 0.8 / 0.46)
        assert not rep.cac_shown and rep.cac is None  # reps do not read organisation spend

    def test_churn_by_contract_type(self, org):
        build(org)
        rows = {f.key: f for f in report(org["owner"]).by_contract_type}
        assert set(rows) == {"one_year", "month_to_month"}
        assert (rows["one_year"].movement.accounts, rows["one_year"].logo_churn) == (2, 0.0)
        assert (rows["month_to_month"].movement.accounts, rows["month_to_month"].logo_churn) == (2, 0.5)

    def test_everyone_and_cac_for_an_admin(self, org):
        build(org)
        rep = report(org["admin"])
        assert (rep.total.movement.accounts, rep.total.movement.churned_accounts) == (5, 2)
        assert rep.total.revenue_churn == pytest.approx(0.73)
        assert (rep.total.grr, rep.total.nrr) == (pytest.approx(0.27), pytest.approx(0.30))
        assert (rep.new_customers, rep.spend, rep.cac) == (1, D(1000), pytest.approx(1000.0))
        assert rep.ltv == pytest.approx(400 * 0.8 / 0.73)
        assert rep.ltv_cac == pytest.approx(400 * 0.8 / 0.73 / 1000)
        assert rep.cac_payback_months == pytest.approx(1000 / 320)

    def test_narrowing_to_a_team_or_a_rep(self, org):
        build(org)
        assert report(org["admin"], team_id=org["west"].pk).total.movement.accounts == 1
        assert report(org["admin"], owner_id=org["owner"].pk).total.movement.accounts == 4
        assert report(org["mgr"]).total.movement.accounts == 4  # East's manager: the owner's accounts only

    def test_a_rep_with_no_accounts_gets_no_rates(self, org):
        build(org)
        rep = report(org["teammate"])
        assert rep.total.movement.accounts == 0 and rep.total.logo_churn is None and rep.ltv is None

    def test_months_each_over_their_own_cohort(self, org):
        build(org)
        rep = report(org["owner"], start=date(2025, 12, 1), end=date(2026, 1, 31))
        assert [f.key for f in rep.months] == ["2025-12", "2026-01"]
        december, january = rep.months
        assert (december.movement.accounts, december.logo_churn) == (4, 0.0)
        assert january.logo_churn == pytest.approx(0.25)
        assert rep.monthly_logo_churn == pytest.approx(0.125)


class TestRegisteredMetrics:
    def test_the_registry_reads_the_same_figures(self, org):
        from salesops import metrics
        from salesops.metrics import Period

        build(org)
        period = Period(START, END)
        owner = Scope(org["owner"])
        assert metrics.get("logo_churn_rate").compute(owner, period).value == 25.0
        assert metrics.get("revenue_churn_rate").compute(owner, period).value == 46.0
        assert metrics.get("grr").compute(owner, period).value == 54.0
        assert metrics.get("nrr").compute(owner, period).value == 60.0
        rows = {r.key: r.value for r in metrics.get("logo_churn_rate").breakdown(owner, period, "contract_type")}
        assert rows == {"month_to_month": 50.0, "one_year": 0.0}
        assert metrics.get("logo_churn_rate").records(owner, period).count() == 4
        admin = Scope(org["admin"])
        assert metrics.get("cac").compute(admin, period).per_currency == {"CNY": D("1000.00")}
        assert metrics.get("ltv_cac").compute(admin, period).value == pytest.approx(0.44)
        assert metrics.get("ltv").compute(owner, period).per_currency == {"CNY": D("434.78")}
        assert metrics.get("cac").compute(owner, period).value is None
        assert metrics.get("grr").compute(owner, Period.all_time()).value is None

    def test_every_retention_metric_is_described(self):
        from salesops import metrics

        for code in ("logo_churn_rate", "revenue_churn_rate", "grr", "nrr", "ltv", "cac", "ltv_cac"):
            metric = metrics.get(code)
            assert str(metric.description) and metric.app == "customers"
        assert metrics.get("grr").group_by == ("contract_type",)


class TestDemo:
    def test_the_retention_demo_is_idempotent_and_shows_figures(self, db):
        from customers.models import Contract, Spend
        from customers.retention_demo import seed_retention
        from teams.demo import demo_users, seed_organisation

        today = date(2026, 12, 1)
        seed_organisation(today=today)
        users = demo_users()
        contracts, spends = seed_retention(users=users, today=today)
        assert spends == 48 and Spend.objects.count() == 48
        assert contracts == Contract.objects.count() >= 11
        assert seed_retention(users=users, today=today) == (0, 0)
        rep = retention_report(scope=Scope(users["admin"]), start=date(2025, 12, 1), end=date(2026, 11, 30),
                               today=today)
        assert rep.total.movement.churned_accounts >= 1 and rep.total.movement.expansion > 0
        assert rep.total.movement.contraction > 0 and rep.cac is not None and rep.ltv_cac is not None


class TestCoverage:
    def test_a_cancelled_contract_stops_when_cancelled_and_a_decided_churn_at_its_end(self, org):
        from customers.models import Contract

        from .factories import AccountFactory, ContractFactory

        cancelled, leaving = AccountFactory(owner=org["owner"]), AccountFactory(owner=org["owner"])
        ContractFactory(account=cancelled, start=date(2025, 6, 1), end=date(2026, 5, 31), mrr=100,
                        status=Contract.Status.CANCELLED, outcome_at=date(2026, 1, 10))
        ContractFactory(account=leaving, start=date(2025, 3, 1), end=date(2026, 2, 28), mrr=100,
                        status=Contract.Status.ENDED, outcome=Contract.Outcome.CHURNED, outcome_at=date(2026, 1, 10))
        rows = {row.account_id: row for row in cohort_rows(
            contracts=contract_queryset_for(scope=Scope(org["owner"])), start=START, end=END, currency="CNY",
            today=TODAY)}
        assert rows[cancelled.pk].retained is False and rows[cancelled.pk].tenure_months == 7
        assert rows[leaving.pk].retained is True  # it still runs to 28 February


class TestSqlAgreesWithPython:
    def test_the_database_movement_equals_the_python_one(self, org):
        import random

        from customers.retention import movement
        from customers.retention_selectors import cohort_movement

        from .factories import AccountFactory, ContractFactory

        build(org)
        rng = random.Random(7)
        for _i in range(40):  # random contracts around the period, some renewed, some ended
            account = AccountFactory(owner=rng.choice([org["owner"], org["outsider"]]))
            start = date(2025, rng.randint(1, 12), rng.randint(1, 28))
            end = None if rng.random() < 0.4 else date(2026, rng.randint(1, 4), rng.randint(1, 28))
            ContractFactory(account=account, start=start, end=end, mrr=rng.randint(0, 900),
                            status=rng.choice(["active", "ended", "cancelled"]),
                            outcome_at=date(2026, 1, rng.randint(1, 31)) if rng.random() < 0.5 else None)
            if end and rng.random() < 0.5:
                ContractFactory(account=account, start=end, end=None, mrr=rng.randint(0, 900))
        for user in (org["owner"], org["admin"]):
            contracts = contract_queryset_for(scope=Scope(user))
            for start, end in ((START, END), (date(2025, 12, 1), date(2025, 12, 31)), (date(2026, 2, 1), date(2026, 2, 28))):
                python = movement(cohort_rows(contracts=contracts, start=start, end=end, currency="CNY", today=TODAY))
                assert cohort_movement(contracts=contracts, start=start, end=end, currency="CNY", today=TODAY) == python
