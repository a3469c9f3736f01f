"""One way to show dates, numbers and money, per language (salesops/formats, the built-in filters)."""
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from salesops import formats

DAY = date(2026, 12, 1)
MOMENT = datetime(2026, 12, 1, 11, 39, tzinfo=UTC)  # 19:39 in Asia/Shanghai (settings.TIME_ZONE)


@pytest.mark.parametrize("language, day, moment, month", [
    ("en", "1 Dec 2026", "1 Dec 2026 19:39", "Dec 2026"),
    ("zh-hans", "2026-12-01", "2026-12-01 19:39", "2026-12"),
])
def test_dates_per_language(settings, language, day, moment, month):
    settings.TIME_ZONE = "Asia/Shanghai"
    with translation.override(language):
        assert formats.date_text(DAY) == day and formats.date_text(MOMENT) == day
        assert formats.datetime_text(MOMENT) == moment and formats.month_text(DAY) == month
        rendered = Template("{{ d|date }}|{{ t|datetime }}|{{ t }}|{{ d|month }}").render(Context({"d": DAY, "t": MOMENT}))
        assert rendered == f"{day}|{moment}|{moment}|{month}"  # a datetime printed bare follows the same format


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_numbers_and_money_are_grouped_in_both_languages(language):
    with translation.override(language):
        assert formats.money_text(Decimal("1185000"), "CNY") == "1,185,000 CNY"
        assert formats.money_text(Decimal("2898.5"), "CNY", 2) == "2,898.50 CNY"
        assert formats.number_text(9500) == "9,500" and formats.number_text(1234.56, 1) == "1,234.6"
        rendered = Template("{{ a|money:c }}|{{ a|money_exact:c }}|{{ n|number }}|{{ a|money }}").render(
            Context({"a": Decimal("1185000"), "c": "CNY", "n": 12345}))
        assert rendered == "1,185,000 CNY|1,185,000.00 CNY|12,345|1,185,000"


def test_odd_values_do_not_break_a_page():
    rendered = Template("{{ x|money:'CNY' }}|{{ y|number }}|{{ z|date }}|{{ z|datetime }}|{{ w|number:'x' }}").render(
        Context({"x": None, "y": "n/a", "z": None, "w": "12"}))
    assert rendered == "0 CNY|n/a|||12"
    assert formats.number_text(Decimal("NaN")) == "NaN"


def test_currency_codes_are_escaped():
    assert Template("{{ a|money:c }}").render(Context({"a": 1, "c": "<b>"})) == "1 &lt;b&gt;"
