from django import forms
from django.contrib.auth.forms import AuthenticationForm


class LoginForm(AuthenticationForm):
    username = forms.CharField(widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}))


# --- compensation (h9) ---------------------------------------------------------------------------
from decimal import Decimal  # noqa: E402

from django.utils.translation import gettext_lazy as _  # noqa: E402

from .models import CompensationPlan, PlanComponent  # noqa: E402


class PlanForm(forms.ModelForm):
    class Meta:
        model = CompensationPlan
        fields = ["name", "effective_from", "period", "target_bonus", "currency", "commission_metric"]
        widgets = {"effective_from": forms.DateInput(attrs={"type": "date"})}


class PlanComponentForm(forms.Form):
    key = forms.SlugField(label=_("Key"), max_length=40)
    label = forms.CharField(label=_("Label"), max_length=100)
    metric_codes = forms.CharField(label=_("Metrics"), max_length=400,
                                   help_text=_("One metric code, or several separated by commas (averaged)."))
    weight = forms.DecimalField(label=_("Weight (%)"), min_value=0, max_value=100, decimal_places=2)
    threshold = forms.DecimalField(label=_("Threshold (%)"), min_value=0, max_value=10000, decimal_places=2,
                                   required=False)
    accelerator = forms.DecimalField(label=_("Accelerator"), min_value=0, max_value=10, decimal_places=2, required=False)
    cap = forms.DecimalField(label=_("Cap (%)"), min_value=0, max_value=10000, decimal_places=2, required=False)
    target = forms.DecimalField(label=_("Target value"), min_value=Decimal("0.01"), max_value=10**9, decimal_places=2,
                                initial=100)
    missing = forms.ChoiceField(label=_("Missing metrics"), choices=PlanComponent.Missing.choices,
                                initial=PlanComponent.Missing.SKIP)

    def clean_metric_codes(self):
        codes = [code.strip() for code in self.cleaned_data["metric_codes"].split(",") if code.strip()]
        if not 1 <= len(codes) <= 6:
            raise forms.ValidationError(_("Name one to six metric codes."))
        return codes


class CommissionTierForm(forms.Form):
    lower = forms.DecimalField(label=_("From"), min_value=0, max_value=10**12, decimal_places=2)
    upper = forms.DecimalField(label=_("Up to"), min_value=0, max_value=10**12, decimal_places=2, required=False)
    rate = forms.DecimalField(label=_("Rate (%)"), min_value=0, max_value=100, decimal_places=2)


PlanComponentFormSet = forms.formset_factory(PlanComponentForm, extra=1, can_delete=True, max_num=12,
                                             validate_max=True)
CommissionTierFormSet = forms.formset_factory(CommissionTierForm, extra=1, can_delete=True, max_num=10,
                                              validate_max=True)


class PlanCalculatorForm(forms.Form):
    """One field per metric the plan reads (percent); empty means "no data"."""

    def __init__(self, *args, codes=(), names=None, **kwargs):
        super().__init__(*args, **kwargs)
        for code in codes:
            self.fields[code] = forms.DecimalField(label=(names or {}).get(code, code), required=False, min_value=0,
                                                   max_value=10000, decimal_places=2)


class DisputeForm(forms.Form):
    text = forms.CharField(label=_("What is wrong with this line?"), max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))


class DisputeAnswerForm(forms.Form):
    answer = forms.CharField(label=_("Answer"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class PlanAssignForm(forms.Form):
    user = forms.ModelChoiceField(label=_("Person"), queryset=None)
    starts_on = forms.DateField(label=_("Starts on"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = people
