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
