"""customers.retention on hand-computed fixtures (no database)."""
from datetime import date
from decimal import Decimal as D

import pytest

from customers import retention as r


def row(account_id, start, end, retained=True, term="one_year", tenure=0):
    return r.AccountPeriod(account_id, D(start), D(end), retained, term, tenure)


# Four accounts at the start: 100 + 200 + 300 + 400 = 1,000 MRR.
#  A keeps 100; B grows 200 -> 260 (+60); C shrinks 300 -> 240 (-60 contraction); D (400) churns.
COHORT = [row(1, 100, 100, tenure=12), row(2, 200, 260, tenure=6), row(3, 300, 240, tenure=3),
          row(4, 400, 0, retained=False, tenure=9)]


class TestMovement:
    def test_it_sums_the_bridge(self):
        m = r.movement(COHORT)
        assert (m.accounts, m.churned_accounts, m.retained_accounts) == (4, 1, 3)
        assert (m.start_mrr, m.end_mrr) == (D(1000), D(600))
        assert (m.expansion, m.contraction, m.churned_mrr) == (D(60), D(60), D(400))

    def test_rates(self):
        m = r.movement(COHORT)
        assert r.logo_churn_rate(m) == pytest.approx(0.25)          # 1 of 4
        assert r.revenue_churn_rate(m) == pytest.approx(0.46)       # (400 + 60) / 1000
        assert r.grr(m) == pytest.approx(0.54)                      # (1000 - 60 - 400) / 1000
        assert r.nrr(m) == pytest.approx(0.60)                      # (1000 + 60 - 60 - 400) / 1000
        assert r.arpa(m) == D(250)                                  # 1000 / 4

    def test_grr_never_exceeds_one_and_nrr_can(self):
        m = r.movement([row(1, 100, 150), row(2, 100, 130)])
        assert r.grr(m) == pytest.approx(1.0)
        assert r.nrr(m) == pytest.approx(1.4)                       # (200 + 80) / 200

    def test_an_empty_cohort_has_no_rates(self):
        m = r.movement([])
        assert r.logo_churn_rate(m) is None and r.grr(m) is None and r.nrr(m) is None and r.arpa(m) is None

    def test_mean_tenure_of_churned_and_retained(self):
        assert r.mean_tenure(COHORT, retained=True) == pytest.approx(7.0)   # (12 + 6 + 3) / 3
        assert r.mean_tenure(COHORT, retained=False) == pytest.approx(9.0)


class TestLifetimeValue:
    def test_lifetime_is_one_over_churn(self):
        assert r.lifetime_months(0.05) == pytest.approx(20.0)

    def test_lifetime_is_capped_at_120_months_when_churn_is_zero(self):
        assert r.lifetime_months(0.0) == 120.0
        assert r.lifetime_months(0.001) == 120.0        # 1000 months, capped
        assert r.lifetime_months(None) is None

    def test_ltv(self):
        # ARPA 250 x margin 0.8 / 0.05 monthly revenue churn = 200 x 20 = 4,000
        assert r.ltv(arpa=D(250), gross_margin=0.8, monthly_revenue_churn=0.05) == pytest.approx(4000.0)
        # no churn: 200 x 120 = 24,000
        assert r.ltv(arpa=D(250), gross_margin=0.8, monthly_revenue_churn=0.0) == pytest.approx(24000.0)
        assert r.ltv(arpa=None, gross_margin=0.8, monthly_revenue_churn=0.05) is None

    def test_cac_ratio_and_payback(self):
        cac = r.cac(spend=D(12000), new_customers=4)                  # 3,000
        assert cac == pytest.approx(3000.0)
        assert r.ltv_cac(ltv=4000.0, cac=cac) == pytest.approx(4000 / 3000)
        assert r.cac_payback_months(cac=cac, arpa=D(250), gross_margin=0.8) == pytest.approx(15.0)  # 3000 / 200
        assert r.cac(spend=D(12000), new_customers=0) is None
        assert r.ltv_cac(ltv=4000.0, cac=None) is None
        assert r.cac_payback_months(cac=3000.0, arpa=D(0), gross_margin=0.8) is None

    def test_mean_leaves_out_unknown_months(self):
        assert r.mean([0.1, None, 0.3]) == pytest.approx(0.2)
        assert r.mean([None]) is None


class TestCalendar:
    def test_add_months_clamps_to_the_month_end(self):
        assert r.add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
        assert r.add_months(date(2026, 11, 1), -34) == date(2024, 1, 1)

    def test_full_months(self):
        assert r.full_months(date(2024, 1, 1), date(2026, 11, 1)) == 34
        assert r.full_months(date(2024, 1, 1), date(2026, 11, 30)) == 34
        assert r.full_months(date(2026, 1, 15), date(2026, 2, 14)) == 0
        assert r.full_months(date(2026, 1, 15), date(2026, 2, 15)) == 1
        assert r.full_months(date(2026, 3, 1), date(2026, 2, 1)) == 0

    def test_month_periods_are_clipped(self):
        assert r.month_periods(date(2026, 1, 15), date(2026, 3, 10)) == [
            (date(2026, 1, 15), date(2026, 1, 31)), (date(2026, 2, 1), date(2026, 2, 28)),
            (date(2026, 3, 1), date(2026, 3, 10))]
