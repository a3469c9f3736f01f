"""Simplified Chinese formats (FORMAT_MODULE_PATH): "2026-12-01", "2026-12-01 19:39", "1,185,000".

Amounts are grouped by thousands as in English (Django's own zh_Hans formats do not group), so a
figure reads the same in both languages. The input formats are Django's."""
DATE_FORMAT = "Y-m-d"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "Y-m-d H:i"
YEAR_MONTH_FORMAT = "Y-m"
MONTH_DAY_FORMAT = "m-d"
SHORT_DATE_FORMAT = "Y-m-d"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
