"""Forms of the scoring editor page (leads.views.scoring): a draft's name, its rules and its grades.

No JSON typing: an attribute rule picks its field and operator from lists and its value with the
picker its field needs (checkboxes of translated choices, a number, a text). The forms only parse;
`editor_payload()` turns them into the lists `leads.services.scoring.rule_set_save_draft` takes,
and that service validates and saves everything or nothing.
"""
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import scoring
from .models import AttributeRule, EventType
from .scoring_display import choice_fields, field_kind, operators_for

# Fields added by the editor on each attribute rule's form: one value picker per kind of field.
CHOICE_VALUE_FIELDS = ("industry", "region", "source")


class RuleSetForm(forms.Form):
    name = forms.CharField(label=_("Rule set name"), max_length=100)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class AttributeRuleEditorForm(forms.Form):
    # a blank first choice: an untouched new row (the formset's extra form) is left out, not refused
    field = forms.ChoiceField(label=_("Field"), choices=[("", "—"), *AttributeRule.Field.choices])
    operator = forms.ChoiceField(label=_("Operator"), choices=[("", "—"), *AttributeRule.Operator.choices])
    number = forms.DecimalField(label=_("Number"), required=False, max_digits=14, decimal_places=4,
                                min_value=-scoring.MAX_NUMBER, max_value=scoring.MAX_NUMBER)
    text = forms.CharField(label=_("Text"), required=False, max_length=scoring.MAX_TEXT_LENGTH * 4,
                           help_text=_("For “is one of”: separate values with commas."))
    points = forms.IntegerField(label=_("Points"), min_value=-scoring.MAX_POINTS, max_value=scoring.MAX_POINTS)
    label = forms.CharField(label=_("Label"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, labels in choice_fields().items():
            self.fields[f"choices_{name}"] = forms.MultipleChoiceField(
                label=_("Values"), required=False, choices=list(labels.items()),
                widget=forms.CheckboxSelectMultiple(attrs={"data-choices-for": name}))

    def clean(self):
        data = super().clean()
        field, operator = data.get("field"), data.get("operator")
        if not field or not operator:
            return data
        if operator not in operators_for(field):
            self.add_error("operator", _("“%(operator)s” cannot be used with %(field)s.") % {
                "operator": AttributeRule.Operator(operator).label, "field": AttributeRule.Field(field).label})
            return data
        data["value"] = self._value(field, operator, data)
        return data

    def _value(self, field, operator, data):
        if operator == "is_set":
            return None
        kind = field_kind(field)
        if kind == "choice":
            picked = data.get(f"choices_{field}") or []
            if operator == "equals":
                if len(picked) != 1:
                    self.add_error(f"choices_{field}", _("Pick exactly one value."))
                    return None
                return picked[0]
            if not picked:
                self.add_error(f"choices_{field}", _("Pick at least one value."))
            return list(picked)
        if kind == "number" and operator != "in":
            number = data.get("number")
            if number is None:
                self.add_error("number", _("Enter a number."))
                return None
            return int(number) if number == number.to_integral_value() else float(number)
        text = (data.get("text") or "").strip()
        if operator != "in":
            if not text:
                self.add_error("text", _("Enter a value."))
            return text
        items = [item.strip() for item in text.split(",") if item.strip()]
        if not items:
            self.add_error("text", _("Enter at least one value; separate values with commas."))
            return []
        if kind == "number":
            try:
                return [int(item) if item.lstrip("-").isdigit() else float(item) for item in items]
            except ValueError:
                self.add_error("text", _("Enter numbers separated by commas."))
                return []
        return items

    def rule_data(self) -> dict:
        data = self.cleaned_data
        return {"field": data["field"], "operator": data["operator"], "value": data.get("value"),
                "points": data["points"], "label": data.get("label", "")}


def attribute_rule_initial(rule) -> dict:
    """The form's initial values for a stored attribute rule."""
    initial = {"field": rule.field, "operator": rule.operator, "points": rule.points, "label": rule.label}
    kind = field_kind(rule.field)
    values = rule.value if isinstance(rule.value, list) else [] if rule.value is None else [rule.value]
    if kind == "choice":
        initial[f"choices_{rule.field}"] = [str(v) for v in values]
    elif kind == "number" and rule.operator != "in" and values:
        initial["number"] = values[0]
    else:
        initial["text"] = ", ".join(str(v) for v in values)
    return initial


def event_type_choices() -> list[tuple[str, str]]:
    return [(t.code, t.label) for t in EventType.objects.order_by("name")]


class BehaviourRuleEditorForm(forms.Form):
    event_type = forms.ChoiceField(label=_("Event"))
    points = forms.IntegerField(label=_("Points per event"), min_value=-scoring.MAX_POINTS,
                                max_value=scoring.MAX_POINTS)
    max_count = forms.IntegerField(label=_("Count at most"), required=False, min_value=1,
                                   max_value=scoring.MAX_COUNT)
    window_days = forms.IntegerField(label=_("Within the last days"), required=False, min_value=1,
                                     max_value=scoring.MAX_WINDOW_DAYS)
    label = forms.CharField(label=_("Label"), max_length=200, required=False)

    def __init__(self, *args, event_types=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["event_type"].choices = [("", "—"), *(event_types or event_type_choices())]

    def rule_data(self) -> dict:
        data = self.cleaned_data
        return {"event_type": data["event_type"], "points": data["points"], "max_count": data.get("max_count"),
                "window_days": data.get("window_days"), "label": data.get("label", "")}


class GradeEditorForm(forms.Form):
    name = forms.CharField(label=_("Grade"), max_length=30)
    lower_bound = forms.IntegerField(label=_("Lower bound"), required=False, min_value=-scoring.MAX_GRADE_BOUND,
                                     max_value=scoring.MAX_GRADE_BOUND,
                                     help_text=_("Empty for the lowest grade (every other score)."))

    def rule_data(self) -> dict:
        return {"name": self.cleaned_data["name"], "lower_bound": self.cleaned_data.get("lower_bound")}


AttributeRuleFormSet = forms.formset_factory(AttributeRuleEditorForm, extra=1, can_delete=True,
                                             max_num=scoring.MAX_RULES, validate_max=True,
                                             absolute_max=scoring.MAX_RULES + 50)
BehaviourRuleFormSet = forms.formset_factory(BehaviourRuleEditorForm, extra=1, can_delete=True,
                                             max_num=scoring.MAX_RULES, validate_max=True,
                                             absolute_max=scoring.MAX_RULES + 50)
GradeFormSet = forms.formset_factory(GradeEditorForm, extra=1, can_delete=True, max_num=scoring.MAX_GRADES,
                                     validate_max=True, absolute_max=scoring.MAX_GRADES + 20)


class RuleSetEditor:
    """The page's forms together: bound to POST data, or filled from a stored draft."""

    PREFIXES = {"attribute": "attr", "behaviour": "beh", "grades": "grade"}

    def __init__(self, rule_set, data=None):
        self.rule_set = rule_set
        types = {"event_types": event_type_choices()}
        if data is None:
            self.form = RuleSetForm(initial={"name": rule_set.name, "notes": rule_set.notes})
            self.attribute = AttributeRuleFormSet(
                prefix="attr", initial=[attribute_rule_initial(r) for r in rule_set.attribute_rules.order_by("id")])
            self.behaviour = BehaviourRuleFormSet(prefix="beh", form_kwargs=types, initial=[
                {"event_type": r.event_type.code, "points": r.points, "max_count": r.max_count,
                 "window_days": r.window_days, "label": r.label}
                for r in rule_set.behaviour_rules.select_related("event_type").order_by("id")])
            self.grades = GradeFormSet(prefix="grade", initial=[
                {"name": g.name, "lower_bound": g.lower_bound} for g in rule_set.grades.all()])
        else:
            self.form = RuleSetForm(data)
            self.attribute = AttributeRuleFormSet(data, prefix="attr")
            self.behaviour = BehaviourRuleFormSet(data, prefix="beh", form_kwargs=types)
            self.grades = GradeFormSet(data, prefix="grade")

    @property
    def formsets(self):
        return (self.attribute, self.behaviour, self.grades)

    def is_valid(self) -> bool:
        return all([self.form.is_valid(), *(fs.is_valid() for fs in self.formsets)])

    @staticmethod
    def _kept(formset):
        return [f for f in formset.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]

    def payload(self) -> dict:
        """The keyword arguments of rule_set_save_draft (after is_valid())."""
        return {"name": self.form.cleaned_data["name"], "notes": self.form.cleaned_data.get("notes", ""),
                "attribute_rules": [f.rule_data() for f in self._kept(self.attribute)],
                "behaviour_rules": [f.rule_data() for f in self._kept(self.behaviour)],
                "grades": [f.rule_data() for f in self._kept(self.grades)]}

    def add_service_errors(self, exc: ValidationError) -> list[str]:
        """Put the service's errors ("attribute_rules[2]": [...]) on the forms they concern; the
        rest (grades, the whole set) are returned for the top of the page."""
        general: list[str] = []
        if not hasattr(exc, "error_dict"):
            return list(exc.messages)
        kept = {"attribute_rules": self._kept(self.attribute), "behaviour_rules": self._kept(self.behaviour)}
        for key, errors in exc.error_dict.items():
            messages = [m for e in errors for m in e.messages]
            kind, _sep, rest = key.partition("[")
            if kind in kept and rest.rstrip("]").isdigit() and int(rest.rstrip("]")) < len(kept[kind]):
                kept[kind][int(rest.rstrip("]"))].add_error(None, messages)
            elif key in ("name", "notes"):
                self.form.add_error(key, messages)
            else:
                general.extend(messages)
        return general


def editor_config() -> dict:
    """What the page's script needs to show the right pickers: field -> kind and operators."""
    return {field: {"kind": field_kind(field), "operators": list(operators_for(field))}
            for field, _label in AttributeRule.Field.choices}
