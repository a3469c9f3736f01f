"""English words left in a page's interface, data values aside (tests/salesops/test_chinese_pages.py).

A page's visible text (text nodes outside script/style, plus the placeholder, title, aria-label and
alt attributes) is split into ASCII words of three letters or more. A word is left out when it is:
- part of a data value shown on the page: a text stored in a record's text fields (names, companies,
  e-mails, notes; a long one may be cut short; spaces collapsed), except the rows the system installs as
  configuration with a Chinese name beside the English one (stages, checklist items, loss reasons,
  event types, SPIN questions), whose English must not show;
- in ALLOWED (codes and names that stay as they are in Chinese: currencies, CSV, API, NPS, ...);
- inside an e-mail address, a URL or a setting's name (CUSTOMERS_GROSS_MARGIN).
"""
import re
from html.parser import HTMLParser

from django.apps import apps

ALLOWED = {
    # currency codes and units
    "CNY", "USD", "EUR", "GBP", "JPY", "HKD",
    # abbreviations used as such in Chinese business software
    "API", "CSV", "NPS", "KPI", "MRR", "ARR", "CAC", "LTV", "PDF", "SPIN", "MQL", "SQL", "SLA", "CRM",
    "JSON", "URL", "OpenAPI", "ReDoc", "Swagger", "ROI", "CSAT", "HTML", "Excel",
    # names
    "SalesOps", "English", "Plotly",
    # retention figures, written as abbreviations in Chinese too (the page says what they are)
    "ARPA", "GRR", "NRR",
}
TRANSLATED_CONFIGURATION = {"pipeline.Stage", "pipeline.ChecklistItem", "pipeline.LossReason", "leads.EventType",
                            "pipeline.SpinQuestion"}
TEXT_FIELDS = {"CharField", "TextField", "EmailField", "SlugField", "URLField"}
APPS = ("teams", "leads", "pipeline", "customers", "dashboards")
WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*[A-Za-z]")
# e-mail addresses, URLs, paths, domain names and setting names (CUSTOMERS_GROSS_MARGIN) are not words
EMAIL_OR_URL = re.compile(r"\b[A-Z][A-Z0-9]*_[A-Z0-9_]+\b|\S+@\S+|https?://\S+|www\.\S+|/[\w/.-]+/"
                          r"|\b[\w-]+\.(?:com|cn|org|net|io|example)\b")


class _Text(HTMLParser):
    SKIP = {"script", "style", "noscript", "template"}
    ATTRIBUTES = {"placeholder", "title", "aria-label", "alt"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts, self.skipping = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self.skipping += 1
        for name, value in attrs:
            if name in self.ATTRIBUTES and value:
                self.parts.append(value)

    def handle_endtag(self, tag):
        if tag in self.SKIP and self.skipping:
            self.skipping -= 1

    def handle_data(self, data):
        if not self.skipping and data.strip():
            self.parts.append(data.strip())


def visible_text(html: str) -> list[str]:
    parser = _Text()
    parser.feed(html)
    return parser.parts


def data_values() -> set[str]:
    """Every stored text value (configuration with Chinese names aside), split into lines."""
    values = set()
    for model in apps.get_models():
        if model._meta.app_label not in APPS or model._meta.label in TRANSLATED_CONFIGURATION:
            continue
        fields = [f.name for f in model._meta.fields
                  if f.get_internal_type() in TEXT_FIELDS and not f.choices and f.name != "password"]
        if not fields:
            continue
        for row in model._default_manager.values_list(*fields):
            for value in row:
                for line in str(value or "").splitlines():
                    line = " ".join(line.split())
                    if len(line) >= 3 and re.search("[A-Za-z]{3}", line):
                        values.add(line)
    return values


def _words(text: str) -> set[str]:
    return {w.lower() for w in re.findall(r"[A-Za-z]+", text)}


def english_words(html: str, values) -> dict[str, str]:
    """{word: the text it was found in} for every English interface word of the page. A word is data
    when a stored value holding it is on the page (whole, or its first 20 characters when cut short)."""
    parts = visible_text(html)
    page = " ".join(" ".join(parts).split())
    data = set()
    for value in values:
        if value in page or (len(value) > 20 and value[:20] in page):
            data |= _words(value)
    found = {}
    for text in parts:
        for word in WORD.findall(EMAIL_OR_URL.sub(" ", text)):
            bare = word.strip("'’-")
            if len(bare) < 3 or bare in ALLOWED:
                continue
            if all(part.lower() in data or part in ALLOWED for part in re.split(r"['’-]", bare) if part):
                continue
            found.setdefault(bare, text[:120])
    return found
