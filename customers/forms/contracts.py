from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from ..models import Contract


class ContractForm(forms.ModelForm):
    currency = forms.ChoiceField(label=_("currency"), choices=())

    class Meta:
        model = Contract
        fields = ["product", "term", "start", "end", "mrr", "currency", "external_ref"]
        widgets = {"start": forms.DateInput(attrs={"type": "date"}), "end": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["currency"].choices = [(code, code) for code in settings.CURRENCIES]
        self.fields["currency"].initial = settings.DEFAULT_CURRENCY


class RenewalForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Renewal outcome"), choices=Contract.Outcome.choices)
    mrr = forms.DecimalField(label=_("New monthly recurring value"), required=False, max_digits=14,
                             decimal_places=2, min_value=0,
                             help_text=_("Expanded: higher; contracted: lower; renewed: leave empty (same value)."))
    term = forms.ChoiceField(label=_("contract type"), choices=[("", "—"), *Contract.Term.choices], required=False)
    end = forms.DateField(label=_("New end"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
                          help_text=_("Empty: the same term again, from the day after the current end."))

    def service_kwargs(self) -> dict:
        data = {key: value for key, value in self.cleaned_data.items() if value not in (None, "")}
        return data
