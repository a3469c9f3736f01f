"""Suggested weights pages (issue 16): ask for a suggestion from a rule set's quality page, watch it
run, compare it with the current set on held-out leads, and open its draft in the editor."""
import json

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from salesops.charts import grouped_bar_figure
from teams.predicates import can_manage_scoring

from ..models import AttributeRule, EventType
from ..scoring_display import condition_display
from ..selectors import rule_set_queryset
from ..selectors.suggestions import suggestion_queryset_for
from ..services import scoring_suggest as services
from ..services.scoring_quality import Segment


class SuggestionForm(forms.Form):
    start = forms.DateField(label=gettext_lazy("Leads created from"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}),
                            error_messages={"invalid": gettext_lazy("Enter the start as a date, YYYY-MM-DD.")})
    end = forms.DateField(label=gettext_lazy("Leads created until"), required=False,
                          widget=forms.DateInput(attrs={"type": "date"}),
                          error_messages={"invalid": gettext_lazy("Enter the end as a date, YYYY-MM-DD.")})
    held_out_percent = forms.IntegerField(
        label=gettext_lazy("Held-out share (%)"), initial=25, min_value=10, max_value=50,
        help_text=gettext_lazy("These leads are kept out of the fit; both rule sets are compared on them."))

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise forms.ValidationError(_("The start date must not be after the end date."))
        return data


def _require_manage(user):
    if not can_manage_scoring(user):
        raise PermissionDenied(_("Only marketing and administrators edit scoring rules."))


@login_required
def suggestion_new_view(request, pk):
    """The form under a rule set: period and held-out share; the job starts on submit."""
    _require_manage(request.user)
    base = get_object_or_404(rule_set_queryset(), pk=pk)
    form = SuggestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            suggestion = services.suggestion_start(by=request.user, base_rule_set=base, held_out_percent=data[
                "held_out_percent"], segment=Segment(start=data.get("start"), end=data.get("end")))
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            return redirect("leads:suggestion", pk=suggestion.pk)
    recent = suggestion_queryset_for(user=request.user).filter(base_rule_set=base)[:10]
    return render(request, "leads/suggestion_new.html", {"base": base, "form": form, "recent": recent},
                  status=400 if request.method == "POST" else 200)


def _pct(rate):
    return None if rate is None else round(100 * rate, 1)


def _rule_rows(rules: list[dict]) -> list[dict]:
    labels = {t.code: t.label for t in EventType.objects.filter(code__in=[r["event_type"] for r in rules if
                                                                          r["kind"] == "behaviour"])}
    rows = []
    for rule in rules:
        why = rule["why"]
        if rule["kind"] == "attribute":
            text = condition_display(AttributeRule(field=rule["field"], operator=rule["operator"], value=rule["value"]))
        else:
            text = labels.get(rule["event_type"], rule["event_type"])
        rows.append({**rule, "condition": text, "with_pct": _pct(why["conversion_with"]),
                     "without_pct": _pct(why["conversion_without"])})
    return sorted(rows, key=lambda r: -abs(r["points"]))


def _side_by_side(figures: dict) -> dict:
    base, suggested = figures["base"], figures["suggested"]
    deciles = [{"part": b["part"], "base": b, "suggested": s, "base_pct": _pct(b["conversion"]),
                "suggested_pct": _pct(s["conversion"])} for b, s in zip(base["deciles"], suggested["deciles"])]
    grades = []
    for b, s in zip(base["grades"], suggested["grades"]):
        grades.append({"grade": b["grade"], "base": b, "suggested": s, "base_pct": _pct(b["conversion"]),
                       "suggested_pct": _pct(s["conversion"])})
    return {"deciles": deciles, "grades": grades, "base_pct": _pct(base["conversion"])}


def _charts(figures: dict) -> dict:
    base, suggested = figures["base"], figures["suggested"]
    rounded = lambda rows: [None if r["lift"] is None else round(r["lift"], 2) for r in rows]  # noqa: E731
    lift = grouped_bar_figure(
        [str(d["part"]) for d in base["deciles"]],
        [(_("Current rule set"), rounded(base["deciles"])), (_("Suggested"), rounded(suggested["deciles"]))],
        title=_("Lift by score decile on held-out leads (1 = highest scores)"), x_title=_("Decile"), y_title=_("Lift"))
    lift.add_hline(y=1, line_dash="dot")
    lift.update_layout(xaxis_type="category", legend={"orientation": "h", "y": -0.25})
    return {"lift": json.loads(lift.to_json())}


@login_required
def suggestion_detail_view(request, pk):
    _require_manage(request.user)
    suggestion = get_object_or_404(suggestion_queryset_for(user=request.user), pk=pk)
    context = {"suggestion": suggestion, "error": services.error_message(suggestion),
               "plotly_locale": "zh-CN" if (get_language() or "").lower().startswith("zh") else ""}
    if suggestion.status == suggestion.Status.DONE and suggestion.figures:
        context.update(compare=_side_by_side(suggestion.figures), rules=_rule_rows(suggestion.rules),
                       charts=_charts(suggestion.figures),
                       grades=[{**g, "target_pct": _pct(g["target"]), "train_pct": _pct(g["train_conversion"])}
                               for g in suggestion.grades])
    return render(request, "leads/suggestion_detail.html", context)


@login_required
@require_POST
def suggestion_rerun_view(request, pk):
    _require_manage(request.user)
    suggestion = get_object_or_404(suggestion_queryset_for(user=request.user), pk=pk)
    try:
        again = services.suggestion_rerun(by=request.user, suggestion=suggestion)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("leads:suggestion", pk=suggestion.pk)
    messages.success(request, _("Re-run started with the same inputs."))
    return redirect("leads:suggestion", pk=again.pk)
