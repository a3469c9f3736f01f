"""Customers' HTML forms (validation only; the services decide)."""
from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import Activity

DATETIME_INPUT = {"type": "datetime-local"}
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]


# --- the quick-log form (h2): lead, deal and account pages; kind, summary, Save ------------------
class QuickLogForm(forms.Form):
    """Log a call, meeting, email or note (or open a task) in three clicks: a kind button, the summary,
    Save. "When" is now unless changed; a task needs its due date. The page and the deal's view share it."""

    kind = forms.ChoiceField(label=_("Kind"), choices=Activity.Kind.choices, widget=forms.RadioSelect)
    summary = forms.CharField(label=_("Summary"), max_length=5000, widget=forms.Textarea(attrs={"rows": 2}))
    occurred_at = forms.DateTimeField(label=_("When"), required=False, input_formats=DATETIME_FORMATS,
                                      widget=forms.DateTimeInput(attrs=DATETIME_INPUT, format=DATETIME_FORMATS[0]))
    due_at = forms.DateTimeField(label=_("Due"), required=False, input_formats=DATETIME_FORMATS,
                                 widget=forms.DateTimeInput(attrs=DATETIME_INPUT, format=DATETIME_FORMATS[0]))

    def activity_fields(self) -> dict:
        """The service's keyword arguments (a blank "when" means now; only a task takes a due date)."""
        data = self.cleaned_data
        fields = {"kind": data["kind"], "summary": data["summary"], "occurred_at": data.get("occurred_at")}
        if data["kind"] == Activity.Kind.TASK or data.get("due_at"):
            fields["due_at"] = data.get("due_at")
        return fields


class QuickLogSubjectForm(QuickLogForm):
    """The quick-log form posted to customers:activity-log, naming what the activity is about."""

    subject = forms.ChoiceField(choices=[("lead", _("Lead")), ("account", _("Account"))], widget=forms.HiddenInput)
    subject_id = forms.IntegerField(min_value=1, max_value=2**31 - 1, widget=forms.HiddenInput)
