from django import forms
from django.contrib.auth.forms import AuthenticationForm


class LoginForm(AuthenticationForm):
    username = forms.CharField(widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}))


# --- onboarding (h10) ------------------------------------------------------------------------------
from django.utils.translation import gettext_lazy as _  # noqa: E402

from .models import OnboardingTemplate, User  # noqa: E402
from .models.onboarding import MAX_DAY, MAX_DURATION, Performer, StepKind  # noqa: E402


class OnboardingPlanCreateForm(forms.Form):
    hire = forms.ModelChoiceField(label=_("New hire"), queryset=User.objects.none())
    mentor = forms.ModelChoiceField(label=_("Mentor"), queryset=User.objects.none(), required=False)
    template = forms.ModelChoiceField(label=_("Template"), queryset=OnboardingTemplate.objects.all(), required=False,
                                      empty_label=_("The default template"))
    start_date = forms.DateField(label=_("Start date"), required=False,
                                 help_text=_("Empty: the hire date (or today)."),
                                 widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, hires, mentors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["hire"].queryset = hires
        self.fields["mentor"].queryset = mentors


class OnboardingMentorForm(forms.Form):
    mentor = forms.ModelChoiceField(label=_("Mentor"), queryset=User.objects.none(), required=False)

    def __init__(self, *args, mentors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mentor"].queryset = mentors


class OnboardingTemplateForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    description = forms.CharField(label=_("Description"), max_length=2000, required=False, widget=forms.Textarea(
        attrs={"rows": 2}))
    is_default = forms.BooleanField(label=_("Default template"), required=False)


class OnboardingStepForm(forms.Form):
    phase_title = forms.CharField(label=_("Phase"), max_length=100)
    title = forms.CharField(label=_("Title"), max_length=200)
    day_offset = forms.IntegerField(label=_("Day offset"), min_value=0, max_value=MAX_DAY, initial=0)
    duration_days = forms.IntegerField(label=_("Duration (days)"), min_value=1, max_value=MAX_DURATION, initial=7)
    performer = forms.ChoiceField(label=_("Who does it"), choices=Performer.choices)
    kind = forms.ChoiceField(label=_("Kind"), choices=StepKind.choices)
    milestone_metric = forms.ChoiceField(label=_("Milestone metric"), required=False)
    milestone_threshold = forms.DecimalField(label=_("Milestone threshold"), required=False, min_value=0,
                                             max_digits=12, decimal_places=2)

    def __init__(self, *args, **kwargs):
        from salesops import metrics
        super().__init__(*args, **kwargs)
        self.fields["milestone_metric"].choices = [("", _("None (ticked by hand)"))] + [
            (m.code, m.name) for m in metrics.all_metrics() if m.unit != "money"]


# --- training and awards (h11) ----------------------------------------------------------------

class ExamForm(forms.Form):
    """One field per question of an exam (radio buttons for single choice, check boxes for multiple)."""

    def __init__(self, *args, exam, **kwargs):
        super().__init__(*args, **kwargs)
        self.exam = exam
        for number, question in enumerate(exam.questions):
            choices = [(str(i), text) for i, text in enumerate(question["choices"])]
            if question.get("multiple"):
                field = forms.MultipleChoiceField(choices=choices, widget=forms.CheckboxSelectMultiple,
                                                  required=False)
            else:
                field = forms.ChoiceField(choices=choices, widget=forms.RadioSelect, required=False)
            field.label = f"{number + 1}. {question['text']}"
            self.fields[f"q{number}"] = field

    def answers(self) -> list[list[int]]:
        sheet = []
        for number, _question in enumerate(self.exam.questions):
            value = self.cleaned_data.get(f"q{number}")
            values = value if isinstance(value, list) else ([value] if value not in (None, "") else [])
            sheet.append([int(v) for v in values])
        return sheet


class NominationForm(forms.Form):
    nominee = forms.ModelChoiceField(queryset=None, label=_("Colleague"))
    reason = forms.CharField(label=_("Why?"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        from .models import User

        peers = User.objects.filter(is_active=True, team_id=user.team_id).exclude(pk=user.pk) if user.team_id \
            else User.objects.none()
        self.fields["nominee"].queryset = peers.order_by("first_name", "last_name", "username")


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


# --- a team and a rep picked by name, for the figure pages (dashboards, retention) -----------------
class ScopePickerForm(forms.Form):
    """The team and rep pickers every page of figures shares: chosen by name from the viewer's scope
    (teams.selectors.dashboard_teams_for / dashboard_people_for), checked to fit together, and read as
    a metric Scope. A page's filter form adds its own fields (period, currency…) and lists them in KEYS."""

    team = forms.ModelChoiceField(label=_("Team"), queryset=None, required=False, empty_label=_("All teams"))
    owner = forms.ModelChoiceField(label=_("Rep"), queryset=None, required=False, empty_label=_("Everyone"))
    KEYS: tuple[str, ...] = ("team", "owner")

    def __init__(self, data=None, *, user, today):
        from .selectors import dashboard_people_for, dashboard_teams_for

        # only the form's own keys: `format` and `table` (CSV export) are not filters
        data = {k: data[k] for k in self.KEYS if data and k in data} or None
        super().__init__(data)
        self.user, self.today = user, today
        self.fields["team"].queryset = dashboard_teams_for(user=user)
        self.fields["owner"].queryset = dashboard_people_for(user=user)
        self.fields["owner"].label_from_instance = lambda person: person.get_full_name() or person.username

    def clean(self):
        cleaned = super().clean()
        team, owner = cleaned.get("team"), cleaned.get("owner")
        if team and owner and owner.team_id != team.pk:
            self.add_error("owner", _("%(person)s is not a member of %(team)s.")
                           % {"person": owner.get_full_name() or owner.username, "team": team.name})
        return cleaned

    def _valid(self) -> dict:
        """The cleaned filter, or the defaults when nothing (or something invalid) was sent."""
        return self.cleaned_data if self.is_bound and self.is_valid() else {}

    def get_scope(self):
        from salesops.metrics import Scope

        values = self._valid()
        team, owner = values.get("team"), values.get("owner")
        return Scope(user=self.user, team_id=team.pk if team else None, owner_id=owner.pk if owner else None)
