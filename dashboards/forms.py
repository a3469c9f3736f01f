"""Forms for the goals page: pickers (metric, team, rep), not ids. Validation of the rules is the service's."""
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from salesops import formats
from salesops import metrics as registry
from teams.models import Team, User

from .models import Goal, ScopeLevel


class DateInput(forms.DateInput):
    input_type = "date"


class GoalForm(forms.ModelForm):
    metric = forms.ChoiceField(label=_("Metric"))
    scope = forms.ChoiceField(label=_("Scope"), choices=ScopeLevel.choices)
    baseline = forms.DecimalField(label=_("Baseline"), required=False, max_digits=20, decimal_places=4,
                                  help_text=_("Leave empty to take the metric's value in the month before the start."))

    class Meta:
        model = Goal
        fields = ["metric", "scope", "team", "owner", "baseline", "target", "start", "deadline", "note"]
        widgets = {"start": DateInput(), "deadline": DateInput()}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["metric"].choices = [(m.code, f"{m.name} ({formats.unit_label(m.unit)})") for m in registry.all_metrics()]
        teams, reps = Team.objects.all(), User.objects.filter(is_active=True, role__in=(User.Role.REP, User.Role.MANAGER))
        if not user.is_admin_role:  # offer what the user may set goals for (the service decides)
            teams = teams.filter(manager=user)
            reps = reps.filter(Q(team__manager=user) | Q(pk=user.pk))
        self.fields["team"].queryset = teams
        self.fields["owner"].queryset = reps.select_related("team")
        self.fields["owner"].label = _("Rep")
