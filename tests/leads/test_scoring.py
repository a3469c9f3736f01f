"""Pure scoring: the default rule set reproduces the playbook example exactly."""
from datetime import datetime, timedelta, timezone

from django.test import SimpleTestCase

from leads.scoring import (AttributeRule, BehaviourRule, Grade, RuleSet, attribute_rule_errors, explain,
                           grade_errors, score_lead)

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=timezone.utc)
DEFAULT = RuleSet(
    attribute_rules=(AttributeRule("industry", "in", ["technology", "finance"], 15, "Industry"),
                     AttributeRule("company_size", "gt", 1000, 10, "Size")),
    behaviour_rules=(BehaviourRule("whitepaper_download", 10, 1, None, "Whitepaper"),
                     BehaviourRule("webinar_attended", 20, 1, None, "Webinar"),
                     BehaviourRule("pricing_page_visit", 20, 1, None, "Pricing")),
    grades=(Grade("Lead", None), Grade("MQL", 50), Grade("SQL", 30)),
)


def ev(*codes, days_ago=1):
    return [(code, NOW - timedelta(days=days_ago)) for code in codes]


class PlaybookExampleTests(SimpleTestCase):
    def test_finance_5000_whitepaper_and_pricing_is_a_55_mql(self):
        result = score_lead(DEFAULT, {"industry": "finance", "company_size": 5000},
                            ev("whitepaper_download", "pricing_page_visit"), NOW)
        self.assertEqual((result.score, result.grade), (55, "MQL"))
        self.assertEqual(result.points, (15, 10, 10, 0, 20))

    def test_retail_200_webinar_is_a_20_lead(self):
        result = score_lead(DEFAULT, {"industry": "retail", "company_size": 200}, ev("webinar_attended"), NOW)
        self.assertEqual((result.score, result.grade), (20, "Lead"))

    def test_technology_50_webinar_is_a_35_sql(self):
        result = score_lead(DEFAULT, {"industry": "technology", "company_size": 50}, ev("webinar_attended"), NOW)
        self.assertEqual((result.score, result.grade), (35, "SQL"))

    def test_exactly_1000_employees_earns_nothing(self):
        self.assertEqual(score_lead(DEFAULT, {"company_size": 1000}, [], NOW).score, 0)

    def test_the_cap_counts_a_repeated_event_once(self):
        self.assertEqual(score_lead(DEFAULT, {}, ev("webinar_attended", "webinar_attended"), NOW).score, 20)

    def test_text_comparisons_ignore_case_and_blanks(self):
        self.assertEqual(score_lead(DEFAULT, {"industry": " Finance "}, [], NOW).score, 15)

    def test_explain_lists_the_rules_that_gave_points(self):
        result = score_lead(DEFAULT, {"industry": "finance"}, ev("pricing_page_visit"), NOW)
        self.assertEqual(explain(DEFAULT, result.points), [{"rule": "Industry", "points": 15},
                                                          {"rule": "Pricing", "points": 20}])


class WindowAndOperatorTests(SimpleTestCase):
    def test_events_older_than_the_window_stop_counting(self):
        rules = RuleSet((), (BehaviourRule("site_visit", 2, None, 30),), (Grade("Lead", None),))
        events = ev("site_visit", days_ago=10) + ev("site_visit", days_ago=40)
        self.assertEqual(score_lead(rules, {}, events, NOW).score, 2)

    def test_every_operator(self):
        cases = [
            (AttributeRule("job_title", "contains", "chief", 5), {"job_title": "Chief Data Officer"}, 5),
            (AttributeRule("job_title", "contains", "chief", 5), {"job_title": "Analyst"}, 0),
            (AttributeRule("region", "equals", "east", 3), {"region": "EAST"}, 3),
            (AttributeRule("company_size", "lt", 50, -5), {"company_size": 10}, -5),
            (AttributeRule("company_size", "lt", 50, -5), {"company_size": None}, 0),
            (AttributeRule("origin", "is_set", None, 1), {"origin": "Landing Page"}, 1),
            (AttributeRule("origin", "is_set", None, 1), {"origin": "  "}, 0),
            (AttributeRule("total_visits", "in", [1, 2], 4), {"total_visits": 2}, 4),
        ]
        for rule, attrs, expected in cases:
            with self.subTest(rule=rule):
                rules = RuleSet((rule,), (), (Grade("Lead", None),))
                self.assertEqual(score_lead(rules, attrs, [], NOW).score, expected)


class ValidationTests(SimpleTestCase):
    def test_unknown_field_is_refused(self):
        self.assertEqual(attribute_rule_errors("shoe_size", "gt", 3), {"field": "unknown_field"})

    def test_gt_needs_a_numeric_field_and_a_number(self):
        self.assertIn("operator", attribute_rule_errors("industry", "gt", 3))
        self.assertIn("value", attribute_rule_errors("company_size", "gt", "big"))

    def test_in_needs_a_non_empty_list(self):
        self.assertIn("value", attribute_rule_errors("industry", "in", "technology"))
        self.assertEqual(attribute_rule_errors("industry", "in", ["technology"]), {})

    def test_grades_need_exactly_one_open_band_and_unique_names(self):
        self.assertEqual(grade_errors([Grade("A", 10), Grade("B", None)]), [])
        self.assertIn("one_open_grade", grade_errors([Grade("A", 10)]))
        self.assertIn("duplicate_grade_name", grade_errors([Grade("A", 10), Grade("A", None)]))
