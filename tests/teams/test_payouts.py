"""The pure payout module (teams.payouts): no database."""
from datetime import date
from decimal import Decimal as D

from teams import payouts as p

SEED = (
    p.Component("quota", ("quota_attainment",), D("60")),
    p.Component("csat", ("csat",), D("20")),
    p.Component("process", ("activity_logged_within_24h", "data_completeness", "training_participation"), D("20")),
)


def only(component, value, bonus=D("10000")):
    return p.compute(target_bonus=bonus, components=[component], values={component.metrics[0]: value}).lines[0]


class TestSeedExample:
    def test_the_seed_example_pays_the_target_with_three_explained_lines(self):
        result = p.compute(target_bonus=D("10000"), components=SEED, values={
            "quota_attainment": D("110"), "csat": D("90"),
            "activity_logged_within_24h": D("80"), "data_completeness": D("80"), "training_participation": D("80")})
        assert result.total == D("10000.00") and str(result.total) == "10000.00"
        assert [(line.key, line.value, line.weight, line.factor, line.contribution) for line in result.lines] == [
            ("quota", D("110.00"), D("60"), D("1.1000"), D("6600.00")),
            ("csat", D("90.00"), D("20"), D("0.9000"), D("1800.00")),
            ("process", D("80.00"), D("20"), D("0.8000"), D("1600.00")),
        ]
        assert result.lines[2].parts == (("activity_logged_within_24h", D("80")), ("data_completeness", D("80")),
                                         ("training_participation", D("80")))

    def test_the_process_composite_averages_its_metrics(self):
        result = p.compute(target_bonus=D("10000"), components=SEED[2:], values={
            "activity_logged_within_24h": D("70"), "data_completeness": D("90"), "training_participation": D("80")})
        assert result.lines[0].value == D("80.00") and result.total == D("1600.00")


class TestMissingMetrics:
    def test_a_metric_not_registered_pays_nothing_and_says_why(self):
        line = p.compute(target_bonus=D("10000"), components=SEED[1:2], values={}).lines[0]
        assert (line.value, line.contribution, line.notes) == (None, D("0.00"), (p.NOT_AVAILABLE,))

    def test_a_metric_without_data_pays_nothing(self):
        line = only(SEED[1], None)
        assert line.contribution == 0 and line.notes == (p.NO_DATA,)

    def test_a_composite_skips_unregistered_parts_by_default(self):
        values = {"activity_logged_within_24h": D("70"), "data_completeness": D("90")}
        line = p.compute(target_bonus=D("10000"), components=SEED[2:], values=values).lines[0]
        assert line.value == D("80.00") and line.contribution == D("1600.00")
        assert line.notes == ("not_available:training_participation",)

    def test_a_composite_may_count_missing_parts_as_zero(self):
        component = p.Component("process", ("a", "b"), D("20"), missing=p.ZERO_MISSING)
        line = p.compute(target_bonus=D("10000"), components=[component], values={"a": D("80")}).lines[0]
        assert line.value == D("40.00") and line.contribution == D("800.00")


class TestShapes:
    def test_below_the_threshold_pays_zero(self):
        line = only(p.Component("q", ("q",), D("60"), threshold=D("50")), D("49.9"))
        assert line.contribution == 0 and p.BELOW_THRESHOLD in line.notes

    def test_at_the_threshold_it_pays_linearly(self):
        assert only(p.Component("q", ("q",), D("60"), threshold=D("50")), D("50")).contribution == D("3000.00")

    def test_the_accelerator_multiplies_the_part_above_target(self):
        line = only(p.Component("q", ("q",), D("60"), accelerator=D("2")), D("120"))
        assert line.factor == D("1.4") and line.contribution == D("8400.00") and p.ACCELERATED in line.notes

    def test_the_accelerator_does_not_touch_attainment_below_target(self):
        assert only(p.Component("q", ("q",), D("60"), accelerator=D("2")), D("90")).contribution == D("5400.00")

    def test_the_cap_limits_the_factor(self):
        line = only(p.Component("q", ("q",), D("60"), accelerator=D("2"), cap=D("150")), D("140"))
        assert line.factor == D("1.5") and line.contribution == D("9000.00") and p.CAPPED in line.notes

    def test_a_target_other_than_100(self):
        assert only(p.Component("nps", ("nps",), D("20"), target=D("50")), D("40")).contribution == D("1600.00")

    def test_cents_round_half_up(self):
        assert only(p.Component("q", ("q",), D("33.333")), D("100"), bonus=D("100")).contribution == D("33.33")
        assert only(p.Component("q", ("q",), D("50")), D("100.01"), bonus=D("1")).contribution == D("0.50")


class TestCommission:
    TIERS = [p.Tier(D("0"), D("100000"), D("2")), p.Tier(D("100000"), D("200000"), D("4")),
             p.Tier(D("200000"), None, D("6"))]

    def test_marginal_tiers_pay_each_slice_at_its_rate(self):
        lines = p.commission_lines(D("250000"), self.TIERS, metric="won_value")
        assert [(line.value, line.weight, line.contribution) for line in lines] == [
            (D("100000.00"), D("2"), D("2000.00")), (D("100000.00"), D("4"), D("4000.00")),
            (D("50000.00"), D("6"), D("3000.00"))]

    def test_an_amount_inside_the_first_tier_uses_one_line(self):
        assert [line.contribution for line in p.commission_lines(D("50000"), self.TIERS)] == [D("1000.00")]

    def test_nothing_or_a_negative_amount_earns_no_commission(self):
        assert p.commission_lines(None, self.TIERS) == [] and p.commission_lines(D("-5"), self.TIERS) == []

    def test_commission_adds_to_the_bonus(self):
        result = p.compute(target_bonus=D("1000"), components=[p.Component("q", ("q",), D("100"))],
                           values={"q": D("100")}, tiers=self.TIERS, commission_amount=D("150000"))
        assert (result.bonus, result.commission, result.total) == (D("1000.00"), D("4000.00"), D("5000.00"))


class TestClawback:
    def test_a_deal_lost_after_payout_gives_a_negative_line(self):
        paid = p.compute(target_bonus=D("10000"), components=SEED[:1], values={"quota_attainment": D("110")}).lines
        now = p.compute(target_bonus=D("10000"), components=SEED[:1], values={"quota_attainment": D("90")}).lines
        [line] = p.corrections(paid, now)
        assert (line.kind, line.key, line.contribution, line.value) == (p.CLAWBACK, "quota", D("-1200.00"), D("90.00"))

    def test_a_higher_value_later_is_an_adjustment(self):
        paid = p.compute(target_bonus=D("10000"), components=SEED[1:2], values={"csat": D("80")}).lines
        now = p.compute(target_bonus=D("10000"), components=SEED[1:2], values={"csat": D("85")}).lines
        [line] = p.corrections(paid, now)
        assert (line.kind, line.contribution) == (p.ADJUSTMENT, D("100.00"))

    def test_no_change_no_line(self):
        paid = p.compute(target_bonus=D("10000"), components=SEED, values={"quota_attainment": D("100")}).lines
        assert p.corrections(paid, paid) == []

    def test_earlier_corrections_are_not_counted_twice(self):
        paid = p.compute(target_bonus=D("10000"), components=SEED[:1], values={"quota_attainment": D("110")}).lines
        now = p.compute(target_bonus=D("10000"), components=SEED[:1], values={"quota_attainment": D("90")}).lines
        done = list(paid) + p.corrections(paid, now)
        assert p.corrections(done, now) == []

    def test_commission_clawback(self):
        tiers = [p.Tier(D("0"), None, D("5"))]
        paid = p.compute(target_bonus=0, components=[], values={}, tiers=tiers, commission_amount=D("1000")).lines
        now = p.compute(target_bonus=0, components=[], values={}, tiers=tiers, commission_amount=D("600")).lines
        [line] = p.corrections(paid, now)
        assert (line.kind, line.key, line.contribution) == (p.CLAWBACK, p.COMMISSION, D("-20.00"))


class TestPeriods:
    def test_quarters_and_months(self):
        assert p.period_bounds(date(2026, 12, 1), p.QUARTERLY) == (date(2026, 10, 1), date(2026, 12, 31))
        assert p.period_bounds(date(2026, 2, 14), p.MONTHLY) == (date(2026, 2, 1), date(2026, 2, 28))
        assert p.previous_period(date(2026, 1, 5), p.QUARTERLY) == (date(2025, 10, 1), date(2025, 12, 31))
        assert p.previous_period(date(2026, 3, 31), p.MONTHLY) == (date(2026, 2, 1), date(2026, 2, 28))
        assert p.period_label(date(2026, 10, 1), p.QUARTERLY) == "2026-Q4"
        assert p.period_label(date(2026, 2, 1), p.MONTHLY) == "2026-02"
