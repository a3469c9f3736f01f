"""HTML view of the lead-quality report: table, Plotly chart and CSV export (?format=csv)."""
import csv
import json

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from salesops.charts import grouped_bar_figure
from salesops.db_router import reads_from_replica

from ..selectors.reports import LeadQualityFilterForm, lead_quality_by_source, lead_quality_report, lead_quality_total


def _csv_response(rows, *, start, end) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="lead-quality-{start:%Y-%m}-{end:%Y-%m}.csv"'
    writer = csv.writer(response)
    writer.writerow([_("Month"), _("Source"), _("Leads"), _("MQLs"), _("MQL rate"), _("Opportunities"),
                     _("MQL to opportunity"), _("Won"), _("MQL to won")])
    for r in rows:
        writer.writerow([f"{r.month:%Y-%m}", r.source_label, r.leads, r.mqls, _fmt(r.mql_rate), r.opportunities,
                         _fmt(r.mql_to_opportunity_rate), r.won, _fmt(r.mql_to_won_rate)])
    return response


def _fmt(rate: float | None) -> str:
    return "" if rate is None else f"{rate:.4f}"


def _chart(by_source) -> dict:
    fig = grouped_bar_figure(
        [r.source_label for r in by_source],
        [(_("Leads"), [r.leads for r in by_source]), (_("MQLs"), [r.mqls for r in by_source]),
         (_("Opportunities"), [r.opportunities for r in by_source]), (_("Won"), [r.won for r in by_source])],
        title=_("Lead quality by source"), x_title=_("Source"), y_title=_("Leads"))
    return json.loads(fig.to_json())


@login_required
@reads_from_replica
def lead_quality_view(request):
    form = LeadQualityFilterForm(request.GET)
    if not form.is_valid():  # shown with its errors and no figures, like the strict lead list filters
        return render(request, "leads/quality_report.html", {"form": form, "rows": []})
    data = form.cleaned_data
    rows = lead_quality_report(user=request.user, start=data["start"], end=data["end"], source=data["source"])
    if request.GET.get("format") == "csv":
        return _csv_response(rows, start=data["start"], end=data["end"])
    by_source = lead_quality_by_source(rows)
    return render(request, "leads/quality_report.html", {
        "form": form, "rows": rows, "by_source": by_source, "total": lead_quality_total(rows),
        "start": data["start"], "end": data["end"], "chart": _chart(by_source) if rows else None,
    })
