"""Forms for the pipeline pages: validation only; saving goes through pipeline.services."""
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from customers.selectors import account_queryset_for, contact_queryset_for
from salesops.imports import upload_read
from teams.selectors import assignable_users_for

from .models import Competitor, LossReason, Opportunity, Stage

FORM_FIELDS = ("name", "account", "contact", "owner", "amount", "currency", "discount_percent",
               "expected_close_date", "confirmed_needs", "decision_makers", "next_step", "competitors",
               "rep_probability", "forecast_category")


class OpportunityForm(forms.ModelForm):
    """Create and edit a deal. The stage is not here: it only changes through a transition."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Opportunity
        fields = list(FORM_FIELDS)
        widgets = {"expected_close_date": forms.DateInput(attrs={"type": "date"}),
                   "confirmed_needs": forms.Textarea(attrs={"rows": 3}),
                   "decision_makers": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = account_queryset_for(user=user)
        self.fields["contact"].queryset = contact_queryset_for(user=user)
        self.fields["owner"].queryset = assignable_users_for(user=user)
        self.fields["competitors"].queryset = Competitor.objects.filter(is_active=True)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        else:
            self.fields["owner"].initial = user.pk


class TransitionForm(forms.Form):
    stage = forms.ModelChoiceField(queryset=Stage.objects.filter(is_active=True), label=_("Move to"))
    reason = forms.CharField(label=_("Reason"), required=False, max_length=2000)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0, max_value=2**31 - 1)
    loss_reason = forms.ModelChoiceField(queryset=LossReason.objects.filter(is_active=True), required=False,
                                         label=_("Loss reason"))
    competitor = forms.ModelChoiceField(queryset=Competitor.objects.filter(is_active=True), required=False,
                                        label=_("Lost to competitor"))


class LeadConvertForm(forms.Form):
    opportunity_name = forms.CharField(label=_("Opportunity name"), max_length=200, required=False)
    amount = forms.DecimalField(label=_("Amount"), min_value=0, max_digits=14, decimal_places=2, initial=0)
    expected_close_date = forms.DateField(label=_("Expected close date"), required=False,
                                          widget=forms.DateInput(attrs={"type": "date"}))


class ForecastFilterForm(forms.Form):
    period = forms.ChoiceField(label=_("Period"), required=False,
                               choices=[("quarter", _("Quarter")), ("month", _("Month"))])
    date = forms.DateField(label=_("Day in the period"), required=False,
                           widget=forms.DateInput(attrs={"type": "date"}))
    team = forms.IntegerField(label=_("Team id"), required=False, min_value=1, max_value=2**63 - 1)
    owner = forms.IntegerField(label=_("Owner id"), required=False, min_value=1, max_value=2**63 - 1)


class ImportForm(forms.Form):
    """The four files of the Maven CRM layout (see pipeline.maven)."""

    pipeline = forms.FileField(label=_("sales_pipeline.csv"))
    accounts = forms.FileField(label=_("accounts.csv"))
    products = forms.FileField(label=_("products.csv"))
    teams = forms.FileField(label=_("sales_teams.csv"))
    engaging_stage = forms.ChoiceField(label=_("Our stage for “Engaging” deals"), initial="needs_confirmed",
                                       choices=[("needs_confirmed", _("Needs confirmed")),
                                                ("solution_demo", _("Solution demo"))])

    def clean(self):
        data = super().clean()
        files = {}
        for name in ("pipeline", "accounts", "products", "teams"):
            if data.get(name) is None:
                continue
            try:
                files[name] = upload_read(upload=data[name], field_name=name)
            except ValidationError as exc:
                self.add_error(None, exc)
        data["files"] = files
        return data


class HandoffForm(forms.Form):
    """The deal's handoff checklist (saved by pipeline.services.handoff_update)."""

    champion = forms.ModelChoiceField(queryset=None, required=False, label=_("Champion"))
    executive_sponsor = forms.ModelChoiceField(queryset=None, required=False, label=_("Executive sponsor"))
    admin = forms.ModelChoiceField(queryset=None, required=False, label=_("Administrator (customer side)"))
    success_criteria = forms.CharField(label=_("Success criteria"), required=False, max_length=4000,
                                       widget=forms.Textarea(attrs={"rows": 3}))
    target_30 = forms.CharField(label=_("30-day target"), required=False, max_length=2000,
                                widget=forms.Textarea(attrs={"rows": 2}))
    target_60 = forms.CharField(label=_("60-day target"), required=False, max_length=2000,
                                widget=forms.Textarea(attrs={"rows": 2}))
    target_90 = forms.CharField(label=_("90-day target"), required=False, max_length=2000,
                                widget=forms.Textarea(attrs={"rows": 2}))
    promises = forms.CharField(label=_("Promises made"), required=False, max_length=10000,
                               help_text=_("One promise per line (e.g. “SSO by go-live”)."),
                               widget=forms.Textarea(attrs={"rows": 3}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0, max_value=2**31 - 1)

    ROLES = ("champion", "executive_sponsor", "admin")

    def __init__(self, *args, opportunity, handoff=None, **kwargs):
        if handoff is not None and not kwargs.get("data") and not args:
            roles = {s.role: s.contact_id for s in handoff.stakeholders.all()}
            kwargs["initial"] = {"success_criteria": handoff.success_criteria, "target_30": handoff.target_30,
                                 "target_60": handoff.target_60, "target_90": handoff.target_90,
                                 "promises": "\n".join(handoff.promises or []), "version": handoff.version,
                                 **{role: roles.get(role) for role in self.ROLES}}
        super().__init__(*args, **kwargs)
        contacts = opportunity.account.contacts.all()
        for role in self.ROLES:
            self.fields[role].queryset = contacts

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {"success_criteria": data["success_criteria"], "target_30": data["target_30"],
                "target_60": data["target_60"], "target_90": data["target_90"],
                "promises": data["promises"].splitlines(),
                "stakeholders": {role: data[role] for role in self.ROLES}}


class FeasibilityForm(forms.Form):
    note = forms.CharField(label=_("Feasibility note"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0, max_value=2**31 - 1)


class HandoffQueueForm(forms.Form):
    status = forms.ChoiceField(label=_("Show"), required=False, choices=[
        ("awaiting", _("Waiting for product feasibility")), ("all", _("All open deals"))])
    account = forms.IntegerField(label=_("Account id"), required=False, min_value=1, max_value=2**63 - 1)


class QuickOpportunityForm(forms.ModelForm):
    """Quick add from the header (issue 12): name, account, amount, stage, expected close, owner (me)."""

    stage = forms.ModelChoiceField(queryset=Stage.objects.none(), required=False, label=_("Stage"),
                                   help_text=_("A later stage than the first goes through its gate."))

    class Meta:
        model = Opportunity
        fields = ["name", "account", "amount", "expected_close_date", "owner"]
        widgets = {"expected_close_date": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, user, **kwargs):
        from customers.selectors.lookups import account_labels
        from salesops.list_filters import PickerWidget

        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = account_queryset_for(user=user)
        self.fields["account"].widget = PickerWidget(lookup="customers:account-lookup",
                                                     labels=lambda ids: account_labels(user=user, ids=ids))
        self.fields["owner"].queryset = assignable_users_for(user=user)
        self.fields["owner"].initial = user.pk
        self.fields["stage"].queryset = Stage.objects.filter(is_active=True, is_won=False, is_lost=False)
        self.fields["stage"].empty_label = None
        self.fields["stage"].initial = self.fields["stage"].queryset.order_by("order").first()
        self.order_fields(["name", "account", "amount", "stage", "expected_close_date", "owner"])
