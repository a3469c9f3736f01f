"""How scoring rules read on pages: translated seeded texts and conditions with translated values.

Seeded rule-set names, rule labels and grade names (migration 0003, the demo data) are stored in
English, as msgids: `seeded_text()` translates them at display time, so a page in zh-hans shows
"默认（销售手册示例）" while the database keeps one stable text; anything a person typed that is not
in the catalogue is shown as typed. The msgids are listed below with gettext_noop so that
makemessages collects them.
"""
from django.utils.translation import gettext, gettext_noop

from . import scoring

SEEDED_TEXTS = (
    gettext_noop("Default (playbook example)"),
    gettext_noop("Installed by migration; reproduces the sales playbook's example."),
    gettext_noop("Industry is Technology or Finance"),
    gettext_noop("Company size over 1,000"),
    gettext_noop("Downloaded the whitepaper"),
    gettext_noop("Attended a webinar"),
    gettext_noop("Visited the pricing page"),
    gettext_noop("Suggested weights"),  # drafts saved by leads.services.scoring_suggest: "Suggested weights #12"
    gettext_noop("Learned from converted and not-converted history; compare it with the current rule set on "
                 "its suggestion page before you publish it."),
)
_SEEDED = frozenset(SEEDED_TEXTS)


def seeded_text(value) -> str:
    """`value` translated when it is one of the seeded texts (or starts with one, as a copy's name
    "Default (playbook example) (v1 copy)" does); otherwise unchanged."""
    text = "" if value is None else str(value)
    if text in _SEEDED:
        return gettext(text)
    for seeded in _SEEDED:
        if text.startswith(seeded + " "):
            return gettext(seeded) + text[len(seeded):]
    return text


def choice_fields() -> dict[str, dict[str, str]]:
    """Scoring fields whose values are codes of a choice list: field -> {code: translated label}."""
    from .models import Lead

    return {name: {str(code): str(label) for code, label in Lead._meta.get_field(name).choices}
            for name in ("industry", "region", "source")}


def field_kind(field: str) -> str:
    """"number", "choice" or "text": which value picker a field gets."""
    if field in scoring.NUMERIC_FIELDS:
        return "number"
    if field in ("industry", "region", "source"):
        return "choice"
    return "text"


OPERATORS_BY_KIND = {
    "number": ("equals", "in", "gt", "lt", "is_set"),
    "choice": ("equals", "in", "is_set"),
    "text": ("equals", "in", "contains", "is_set"),
}


def operators_for(field: str) -> tuple[str, ...]:
    return OPERATORS_BY_KIND[field_kind(field)] if field in scoring.FIELDS else ()


def value_display(field: str, value, choices: dict | None = None) -> str:
    """A rule's value for people: choice codes become their translated labels."""
    labels = (choices or choice_fields()).get(field, {})
    values = value if isinstance(value, list) else ([] if value is None else [value])
    return ", ".join(labels.get(str(v), str(v)) for v in values)


def condition_display(rule, choices: dict | None = None) -> str:
    """"Industry is one of Technology, Finance" in the current language."""
    parts = [str(rule.get_field_display()), str(rule.get_operator_display())]
    if rule.operator != "is_set":
        parts.append(value_display(rule.field, rule.value, choices))
    return " ".join(p for p in parts if p)
