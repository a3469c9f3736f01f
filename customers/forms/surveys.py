"""Forms of the survey pages: define a survey, choose contacts to send it to, answer it (public)."""
from django import forms
from django.utils.translation import gettext_lazy as _

from .. import surveys as math
from ..models import Survey


class SurveyForm(forms.ModelForm):
    extra_questions = forms.CharField(
        label=_("Further questions"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
        max_length=(math.MAX_QUESTION_LENGTH + 1) * math.MAX_EXTRA_QUESTIONS,
        help_text=_("One question per line (at most %(n)d); answered in free text.") % {"n": math.MAX_EXTRA_QUESTIONS})

    class Meta:
        model = Survey
        fields = ["name", "kind", "question", "extra_questions", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["extra_questions"] = "\n".join(self.instance.extra_questions or [])

    def clean_extra_questions(self):
        return [line.strip() for line in self.cleaned_data["extra_questions"].splitlines() if line.strip()]

    def fields_for_service(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class SurveySendForm(forms.Form):
    contacts = forms.TypedMultipleChoiceField(label=_("Contacts"), coerce=int, choices=())

    def __init__(self, *args, contacts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contacts"].choices = [(c.pk, c.pk) for c in contacts]


class SurveyAnswerForm(forms.Form):
    """The public answer form: the score as buttons, a reason, one text field per further question."""

    score = forms.TypedChoiceField(label=_("Score"), coerce=int, widget=forms.RadioSelect)
    reason = forms.CharField(label=_("What is the main reason for your score?"), required=False,
                             max_length=math.MAX_ANSWER_LENGTH, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, survey: Survey, **kwargs):
        super().__init__(*args, **kwargs)
        low, high = math.SCALES[survey.kind]
        self.fields["score"].label = survey.question
        self.fields["score"].choices = [(n, str(n)) for n in range(low, high + 1)]
        self.questions = list(survey.extra_questions or [])
        for index, question in enumerate(self.questions):
            self.fields[f"q{index}"] = forms.CharField(label=question, required=False, max_length=math.MAX_ANSWER_LENGTH,
                                                       widget=forms.Textarea(attrs={"rows": 2}))

    def answers(self) -> dict:
        return {q: self.cleaned_data.get(f"q{i}", "") for i, q in enumerate(self.questions)}
