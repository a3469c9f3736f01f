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


# --- quick add from the header (issue 12): kind, subject, what it is about, due date, note ----------
class QuickActivityForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Activity.Kind.choices, initial=Activity.Kind.CALL)
    subject = forms.CharField(label=_("Subject"), max_length=200)
    related = forms.CharField(label=_("About (a lead or an account)"), max_length=40)
    due_at = forms.DateTimeField(label=_("Due"), required=False, input_formats=DATETIME_FORMATS,
                                 widget=forms.DateTimeInput(attrs=DATETIME_INPUT, format=DATETIME_FORMATS[0]),
                                 help_text=_("Needed for a task."))
    note = forms.CharField(label=_("Note"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, user, **kwargs):
        from salesops.list_filters import PickerWidget

        from ..selectors.lookups import record_labels

        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["related"].widget = PickerWidget(
            lookup="customers:record-lookup", parse=str, labels=lambda values: record_labels(user=user, values=values))

    def clean_related(self):
        from ..selectors.lookups import record_for

        record = record_for(user=self.user, value=self.cleaned_data["related"])
        if record is None:
            raise forms.ValidationError(_("Pick a lead or an account from the list."))
        return record

    def activity_fields(self) -> dict:
        """The service's keyword arguments: the subject and the note make the summary."""
        data = self.cleaned_data
        record = data["related"]
        summary = data["subject"] + (f"\n\n{data['note']}" if data.get("note") else "")
        fields = {"kind": data["kind"], "summary": summary, record._meta.model_name: record}
        if data["kind"] == Activity.Kind.TASK or data.get("due_at"):
            fields["due_at"] = data.get("due_at")
        return fields
