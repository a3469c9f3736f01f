"""The quality-on-history part of the backtest page: filters, tables and two Plotly figures."""
import json

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from salesops.charts import grouped_bar_figure, interval_bar_figure

from ..services.scoring_quality import QualityFilterForm, rule_set_quality


def _pct(rate):
    return None if rate is None else round(100 * rate, 1)


def quality_context(request, rule_set) -> dict:
    """{"quality_form", "quality", "quality_charts", "plotly_locale"} for the rule-set page."""
    form = QualityFilterForm(request.GET)
    context = {"quality_form": form, "quality": None,
               "plotly_locale": "zh-CN" if (get_language() or "").lower().startswith("zh") else ""}
    if not form.is_valid():
        return context
    report = rule_set_quality(rule_set=rule_set, user=request.user, segment=form.segment())
    for row in report["grades"]:
        row["pct"] = _pct(row["conversion"])
        row["low_pct"], row["high_pct"] = (None, None) if row["interval"] is None else map(_pct, row["interval"])
        row["win_pct"] = _pct(row["win_rate"])
    for row in report["deciles"]:
        row["pct"] = _pct(row["conversion"])
        row["cumulative_pct"] = _pct(row["cumulative_share"])
    for row in report["rules"]:
        row["fire_pct"] = _pct(row["fire_rate"])
        row["with_pct"], row["without_pct"] = _pct(row["with"]["conversion"]), _pct(row["without"]["conversion"])
    report["pct"] = _pct(report["conversion"])
    context["quality"] = report
    if report["leads"]:
        lift = grouped_bar_figure(
            [str(d["part"]) for d in report["deciles"]],
            [(_("Lift"), [round(d["lift"], 2) if d["lift"] is not None else None for d in report["deciles"]])],
            title=_("Lift by score decile (1 = highest scores)"), x_title=_("Decile"), y_title=_("Lift"))
        lift.add_hline(y=1, line_dash="dot")
        lift.update_layout(xaxis_type="category", showlegend=False)
        grades = [g for g in report["grades"] if g["leads"]]
        intervals = interval_bar_figure(
            [g["grade"] for g in grades], [g["pct"] for g in grades], [g["low_pct"] for g in grades],
            [g["high_pct"] for g in grades], title=_("Conversion by grade, with 95% interval"), x_title=_("Grade"),
            y_title=_("Conversion"), y_suffix="%")
        context["quality_charts"] = {"lift": json.loads(lift.to_json()), "grades": json.loads(intervals.to_json())}
    return context
