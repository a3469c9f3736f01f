from django import forms

from teams.selectors import assignable_users_for

from .models import Lead
from .services import EDITABLE_FIELDS


class LeadForm(forms.ModelForm):
    """Validation only; saving goes through leads.services."""

    class Meta:
        model = Lead
        fields = list(EDITABLE_FIELDS)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = assignable_users_for(user=user)
        if not self.instance.pk:
            self.fields["owner"].initial = user.pk

    def validate_unique(self):
        # The service checks email uniqueness (case-insensitively) with a translated message.
        pass
