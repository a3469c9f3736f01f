"""Thin dashboard pages: the filter form decides scope and period, dashboards.panels reads the
metric registry, and teams.predicates decides which dashboard a user lands on."""
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language

from salesops.csv_export import tables_csv_response
from salesops.db_router import reads_from_replica
from teams.predicates import can_see_review_pack, default_dashboard_for

from .board_cache import served_board
from .filter_form import DashboardFilterForm
from .panels import DASHBOARDS


@login_required
def home_view(request):
    """`/`: the dashboard of the user's role, keeping the filter in the query string."""
    target = redirect("dashboards:dashboard", name=default_dashboard_for(request.user))
    if request.META.get("QUERY_STRING"):
        target["Location"] += "?" + request.META["QUERY_STRING"]
    return target


@login_required
@reads_from_replica
def dashboard_view(request, name):
    if name not in DASHBOARDS:
        raise Http404
    today = timezone.localdate()
    form = DashboardFilterForm(request.GET, user=request.user, today=today)
    period, scope = form.get_period(), form.get_scope()
    served = served_board(name, scope, period, today, query=request.GET, refresh=request.GET.get("refresh") == "1")
    board = served.board
    if request.GET.get("format") == "csv":
        return csv_response(name, board["sections"], request.GET.get("table"))
    return render(request, "dashboards/dashboard.html", {
        "name": name, "dashboards": DASHBOARDS, "form": form, "period": period, "scope": scope,
        "tiles": board["tiles"], "sections": board["sections"], "query": form.query_string(),
        "computed_at": served.computed_at, "from_cache": served.from_cache,
        "plotly_locale": "zh-CN" if (get_language() or "").lower().startswith("zh") else "",
        "review_pack": can_see_review_pack(request.user),
    })


def csv_response(name: str, sections, table: str | None) -> HttpResponse:
    """The tables of a dashboard as CSV: one (`?table=<id>`) or all, each after its title."""
    chosen = [s for s in sections if not table or s.id == table]
    if table and not chosen:
        raise Http404
    return tables_csv_response(f"{name}-{table or 'dashboard'}.csv", titled=not table, tables=(
        (section.title, section.columns, ([cell.text for cell in row] for row in section.rows)) for section in chosen))
