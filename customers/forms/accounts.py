"""Forms for the customers pages: validation only; saving goes through customers.services."""
from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from teams.selectors import assignable_users_for, success_owner_choices_for

from ..models import Account, Contact
from ..selectors import account_duplicates_for
from ..services import ACCOUNT_FIELDS, CONTACT_FIELDS

ACCOUNT_FORM_FIELDS = tuple(name for name in ACCOUNT_FIELDS if name != "external_ref")


class AccountForm(forms.ModelForm):
    """Create or edit an account. Owners are picked among the people `user` may give records to
    (plus the current ones, so an edit that keeps them is valid). Possible duplicates (same name
    ignoring case, or same web domain) stop the first save with links to them; ticking
    "Save anyway" goes on."""

    confirm_duplicates = forms.BooleanField(label=_("Save anyway: this is not a duplicate"), required=False,
                                            widget=forms.HiddenInput)

    class Meta:
        model = Account
        fields = list(ACCOUNT_FORM_FIELDS)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.duplicates: dict = {"visible": [], "hidden": 0}
        choices = {"owner": assignable_users_for(user=user), "success_owner": success_owner_choices_for(user=user)}
        for name, assignable in choices.items():
            current = getattr(self.instance, f"{name}_id", None)
            queryset = assignable | assignable.model.objects.filter(pk=current) if current else assignable
            self.fields[name].queryset = queryset.distinct().order_by("first_name", "last_name", "username")
        if not self.instance.pk:
            self.fields["owner"].initial = user.pk

    def clean(self):
        data = super().clean()
        name, domain = data.get("name") or "", data.get("domain") or ""
        if (name or domain) and not self.errors:
            self.duplicates = account_duplicates_for(user=self.user, name=name, domain=domain,
                                                     exclude_pk=self.instance.pk)
            found = len(self.duplicates["visible"]) + self.duplicates["hidden"]
            if found and not data.get("confirm_duplicates"):
                self.fields["confirm_duplicates"].widget = forms.CheckboxInput()
                self.add_error(None, ngettext(
                    "An account with the same name or web domain already exists. Open it, or tick "
                    "“Save anyway” if this is a different company.",
                    "%(count)d accounts with the same name or web domain already exist. Open them, or tick "
                    "“Save anyway” if this is a different company.", found) % {"count": found})
        return data

    def service_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in ACCOUNT_FORM_FIELDS if name in self.cleaned_data}


class ContactForm(forms.ModelForm):
    class Meta:
        model = Contact
        fields = list(CONTACT_FIELDS)

    def service_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in CONTACT_FIELDS if name in self.cleaned_data}
