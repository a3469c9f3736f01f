from django import forms
from django.utils.translation import gettext_lazy as _

from teams.selectors import assignable_users_for

from .models import Lead
from .services import EDITABLE_FIELDS


# Written by imports, behaviour events and integrations, never typed by a person (issue 12): the
# form leaves them out, so an edit keeps them as they are (the update service writes only the
# fields given). Score, grade, scored_with and the timestamps were never editable.
INTERNAL_FIELDS = ("origin", "last_activity", "total_visits", "time_on_site", "external_ref")
FORM_FIELDS = tuple(name for name in EDITABLE_FIELDS if name not in INTERNAL_FIELDS)


class LeadForm(forms.ModelForm):
    """Validation only; saving goes through leads.services. The status is not edited here (it has
    its own actions on the lead page); `version` detects a concurrent change."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1, max_value=2**31 - 1)

    class Meta:
        model = Lead
        fields = list(FORM_FIELDS)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = assignable_users_for(user=user)
        if not self.instance.pk:
            self.fields["owner"].initial = user.pk
            del self.fields["version"]
        else:
            self.fields["version"].initial = self.instance.version

    def validate_unique(self):
        # The service checks email uniqueness (case-insensitively) with a translated message.
        pass


class LeadDisqualifyForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1, max_value=2**31 - 1)


class LeadTransitionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1, max_value=2**31 - 1)


class QuickLeadForm(forms.ModelForm):
    """Quick add from the header (issue 12): the five fields that matter; the creator owns the lead."""

    class Meta:
        model = Lead
        fields = ["name", "company", "email", "phone", "source"]

    def validate_unique(self):
        pass  # the service checks email uniqueness (case-insensitively) with a translated message
