from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    username = forms.CharField(widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}))


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
