"""The retention page (customers:retention, /customers/retention/): churn, churn by contract type, tenure of
churned vs retained, GRR/NRR, LTV, CAC and LTV:CAC for a period, a team and a rep; charts with their
tables and CSV export. Thin: the form picks scope and period, customers.retention_selectors computes."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from salesops.charts import grouped_bar_figure, line_figure
from salesops.csv_export import tables_csv_response
from salesops.db_router import reads_from_replica
from teams.predicates import can_import
from teams.forms import ScopePickerForm

from .models import Contract
from .retention import add_months
from .retention_selectors import RetentionReport, retention_report

MAX_DAYS = 3 * 366 + 1
PRESETS = [
    ("last_month", gettext_lazy("Last month")),
    ("last_3_months", gettext_lazy("Last 3 whole months")),
    ("last_12_months", gettext_lazy("Last 12 whole months")),
    ("this_year", gettext_lazy("This year")),
    ("custom", gettext_lazy("Custom dates")),
]


def preset_period(preset: str, today: date) -> tuple[date, date]:
    this_month = today.replace(day=1)
    last_day = this_month - timedelta(days=1)
    if preset == "last_3_months":
        return add_months(this_month, -3), last_day
    if preset == "last_12_months":
        return add_months(this_month, -12), last_day
    if preset == "this_year":
        return date(today.year, 1, 1), today
    return add_months(this_month, -1), last_day


class RetentionFilterForm(ScopePickerForm):
    """The retention page's filter: a period of whole months (or custom dates), the team and rep pickers
    every figure page shares (teams.forms.ScopePickerForm), and a currency."""

    period = forms.ChoiceField(label=gettext_lazy("Period"), choices=PRESETS, required=False)
    start = forms.DateField(label=pgettext_lazy("first day of a period", "From"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=pgettext_lazy("last day of a period", "To"), required=False,
                          widget=forms.DateInput(attrs={"type": "date"}))
    currency = forms.RegexField(label=gettext_lazy("Currency"), regex=r"^[A-Z]{3}$", required=False, max_length=3,
                                help_text=gettext_lazy("Empty: the currency of most contracts."))
    KEYS = ("period", "start", "end", "team", "owner", "currency")
    field_order = KEYS

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if cleaned.get("period") == "custom" or (start and end and not cleaned.get("period")):
            if not start or not end:
                raise forms.ValidationError(_("Custom dates need both a start and an end."))
            if start > end:
                raise forms.ValidationError(_("The start date must not be after the end date."))
            if (end - start).days > MAX_DAYS:
                raise forms.ValidationError(_("A report covers at most three years."))
            cleaned["period"] = "custom"
        return cleaned

    def get_period(self) -> tuple[date, date]:
        values = self._valid()
        if values.get("period") == "custom":
            return values["start"], values["end"]
        return preset_period(values.get("period") or "last_month", self.today)

    def query_string(self) -> str:
        values = self._valid()
        return urlencode([(k, values[k] if k == "period" else self.data.get(k)) for k in self.KEYS
                          if values.get(k) not in (None, "")])


# --- presentation ---------------------------------------------------------------------------------
def pct(value) -> str:
    return "—" if value is None else f"{number_format(round(value * 100, 1), 1)} %"


def num(value, digits: int = 1) -> str:
    return "—" if value is None else number_format(round(value, digits), digits, force_grouping=True)


@dataclass
class Section:
    id: str
    title: str
    columns: list[str]
    rows: list[list[str]]
    figure: dict | None = None
    empty: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def chart_id(self) -> str:
        return f"chart-{self.id}"


def _figure(fig) -> dict:
    import json
    return json.loads(fig.to_json())


def tiles(report: RetentionReport) -> list[tuple[str, str, str]]:
    """(code, label, text) of the headline figures."""
    t = report.total
    money = report.currency
    out = [
        ("logo_churn_rate", _("Logo churn"), pct(t.logo_churn)),
        ("revenue_churn_rate", _("Revenue churn"), pct(t.revenue_churn)),
        ("grr", _("Gross revenue retention"), pct(t.grr)),
        ("nrr", _("Net revenue retention"), pct(t.nrr)),
        ("monthly_logo_churn", _("Monthly logo churn (mean)"), pct(report.monthly_logo_churn)),
        ("lifetime", _("Average lifetime (months)"), num(report.lifetime_months)),
        ("arpa", _("ARPA (%(currency)s)") % {"currency": money}, num(report.arpa, 2)),
        ("ltv", _("LTV (%(currency)s)") % {"currency": money}, num(report.ltv, 2)),
    ]
    if report.cac_shown:
        out += [("cac", _("CAC (%(currency)s)") % {"currency": money}, num(report.cac, 2)),
                ("ltv_cac", _("LTV:CAC"), num(report.ltv_cac, 2)),
                ("cac_payback", _("CAC payback (months)"), num(report.cac_payback_months))]
    return out


def sections(report: RetentionReport) -> list[Section]:
    months = report.months
    monthly = Section(
        "months", _("Churn and retention per month"),
        [_("Month"), _("Accounts at start"), _("Churned"), _("Logo churn"), _("Revenue churn"), _("GRR"), _("NRR")],
        [[f.label, str(f.movement.accounts), str(f.movement.churned_accounts), pct(f.logo_churn),
          pct(f.revenue_churn), pct(f.grr), pct(f.nrr)] for f in months],
        empty=_("No month in this period."))
    if months:
        monthly.figure = _figure(line_figure(
            [f.label for f in months],
            [(_("Logo churn"), [None if f.logo_churn is None else round(f.logo_churn * 100, 2) for f in months]),
             (_("Revenue churn"), [None if f.revenue_churn is None else round(f.revenue_churn * 100, 2)
                                   for f in months]),
             (_("GRR"), [None if f.grr is None else round(f.grr * 100, 2) for f in months]),
             (_("NRR"), [None if f.nrr is None else round(f.nrr * 100, 2) for f in months])],
            title=_("Per month, each over its starting accounts"), x_title=_("Month"), y_title="%", y_suffix=" %"))
    types = report.by_contract_type
    by_type = Section(
        "contract_type", _("Churn by contract type"),
        [_("Contract type"), _("Accounts at start"), _("Churned"), _("Logo churn"), _("Revenue churn"),
         _("GRR"), _("NRR")],
        [[f.label, str(f.movement.accounts), str(f.movement.churned_accounts), pct(f.logo_churn),
          pct(f.revenue_churn), pct(f.grr), pct(f.nrr)] for f in types],
        empty=_("No account had a contract at the start of this period."))
    if types:
        by_type.figure = _figure(grouped_bar_figure(
            [f.label for f in types],
            [(_("Logo churn"), [round((f.logo_churn or 0) * 100, 2) for f in types]),
             (_("Revenue churn"), [round((f.revenue_churn or 0) * 100, 2) for f in types])],
            title=_("Churn by contract type"), x_title=_("Contract type"), y_title="%"))
    groups = [*types, report.total]
    tenure = Section(
        "tenure", _("Tenure of churned and retained accounts"),
        [_("Contract type"), _("Churned"), _("Mean tenure of churned (months)"), _("Retained"),
         _("Mean tenure of retained (months)")],
        [[f.label or _("All"), str(f.movement.churned_accounts), num(f.tenure_churned),
          str(f.movement.retained_accounts), num(f.tenure_retained)] for f in groups if f.movement.accounts],
        empty=_("No account had a contract at the start of this period."))
    if report.total.movement.accounts:
        tenure.figure = _figure(grouped_bar_figure(
            [f.label or _("All") for f in groups if f.movement.accounts],
            [(_("Churned"), [round(f.tenure_churned or 0, 2) for f in groups if f.movement.accounts]),
             (_("Retained"), [round(f.tenure_retained or 0, 2) for f in groups if f.movement.accounts])],
            title=_("Mean tenure in months"), x_title=_("Contract type"), y_title=_("Months")))
    m = report.total.movement
    bridge = Section(
        "revenue", _("Revenue bridge (%(currency)s)") % {"currency": report.currency},
        [_("Figure"), _("Amount")],
        [[_("MRR at start"), num(m.start_mrr, 2)], [_("Expansion"), num(m.expansion, 2)],
         [_("Contraction"), num(m.contraction, 2)], [_("Churned MRR"), num(m.churned_mrr, 2)],
         [_("MRR at end"), num(m.end_mrr, 2)]] if m.accounts else [],
        empty=_("No account had a contract at the start of this period."))
    unit = Section(
        "unit_economics", _("Lifetime value and acquisition cost"), [_("Figure"), _("Value")],
        [[_("Gross margin"), pct(report.gross_margin)], [_("ARPA"), num(report.arpa, 2)],
         [_("Monthly revenue churn (mean of the months)"), pct(report.monthly_revenue_churn)],
         [_("LTV"), num(report.ltv, 2)]]
        + ([[_("Sales and marketing spend"), num(report.spend, 2)], [_("New customers"), str(report.new_customers)],
            [_("CAC"), num(report.cac, 2)], [_("LTV:CAC"), num(report.ltv_cac, 2)],
            [_("CAC payback (months)"), num(report.cac_payback_months)]] if report.cac_shown else []))
    if not report.cac_shown:
        unit.notes.append(_("CAC is an organisation figure (spend is not recorded per team): administrators, "
                            "managers and marketing read it without a team or rep filter."))
    return [monthly, by_type, tenure, bridge, unit]


def csv_response(chosen: list[Section], table: str | None) -> HttpResponse:
    return tables_csv_response(f"retention-{table or 'all'}.csv", titled=not table,
                               tables=((section.title, section.columns, section.rows) for section in chosen))


@login_required
@reads_from_replica
def retention_view(request):
    today = timezone.localdate()
    form = RetentionFilterForm(request.GET, user=request.user, today=today)
    start, end = form.get_period()
    values = form.cleaned_data if form.is_bound and form.is_valid() else {}
    report = retention_report(scope=form.get_scope(), start=start, end=end, currency=values.get("currency") or None,
                              today=today)
    parts = sections(report)
    if request.GET.get("format") == "csv":
        table = request.GET.get("table")
        chosen = [s for s in parts if not table or s.id == table]
        if table and not chosen:
            raise Http404
        return csv_response(chosen, table)
    return render(request, "customers/retention.html", {
        "form": form, "report": report, "tiles": tiles(report), "sections": parts, "query": form.query_string(),
        "plotly_locale": "zh-CN" if (get_language() or "").lower().startswith("zh") else "",
        "can_import_customers": can_import(request.user, "customers")})


# --- the customer import (IBM Telco layout) --------------------------------------------------------
class CustomerImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Customer file (CSV)"))
    mapping = forms.ModelChoiceField(label=gettext_lazy("Saved mapping"), queryset=None, empty_label=None)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from .models import CustomerImportMapping
        self.fields["mapping"].queryset = CustomerImportMapping.objects.all()

    def clean(self):
        from salesops.imports import upload_read

        data = super().clean()
        if data.get("file") is not None:
            try:
                data["data"] = upload_read(upload=data["file"])
            except forms.ValidationError as exc:
                self.add_error(None, exc)
        return data


@login_required
def customer_import_view(request):
    """Upload a customer file: staged and imported by a background job (all or nothing)."""
    from django.core.exceptions import PermissionDenied, ValidationError
    from django.shortcuts import redirect

    from .services.customer_import import KIND, customer_import_job_start

    if not can_import(request.user, KIND):
        raise PermissionDenied
    form = CustomerImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = customer_import_job_start(by=request.user, data=form.cleaned_data["data"],
                                            file_name=form.cleaned_data["file"].name, mapping=form.cleaned_data["mapping"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect("customers:import-job", pk=job.pk)
    return render(request, "customers/import.html", {"form": form})


@login_required
def customer_import_job_view(request, pk):
    """An import job's progress (the page refreshes itself), then its outcome or every row error."""
    from django.shortcuts import get_object_or_404

    from .retention_selectors import customer_import_job_queryset_for
    from .services.customer_import import summary_message

    job = get_object_or_404(customer_import_job_queryset_for(user=request.user), pk=pk)
    result = job.outcome
    reference = job.options.get("reference_date", "")
    retention_query = ""
    if reference and job.status == job.Status.DONE:
        first = date.fromisoformat(reference)
        retention_query = urlencode({"period": "custom", "start": first.isoformat(),
                                     "end": (add_months(first, 1) - timedelta(days=1)).isoformat()})
    return render(request, "customers/import_job.html", {
        "job": job, "result": result, "show_file": True, "reference": reference, "retention_query": retention_query,
        "summary": summary_message(result) if job.status == job.Status.DONE else ""})


# --- the accounts behind a figure (the metrics' drill-down) ---------------------------------------------
class RetentionAccountsForm(RetentionFilterForm):
    set = forms.ChoiceField(label=gettext_lazy("Accounts"), required=False, choices=[
        ("cohort", gettext_lazy("Starting cohort")), ("churned", gettext_lazy("Churned")),
        ("new", gettext_lazy("New customers"))])
    contract_type = forms.ChoiceField(label=gettext_lazy("Contract type"), required=False,
                                      choices=[("", gettext_lazy("Any")), *Contract.Term.choices])
    KEYS = (*RetentionFilterForm.KEYS, "set", "contract_type")


@login_required
@reads_from_replica
def retention_accounts_view(request):
    """The accounts a retention figure counts (paginated, 50 a page)."""
    from django.core.paginator import Paginator

    from .retention_selectors import retention_accounts

    today = timezone.localdate()
    form = RetentionAccountsForm(request.GET, user=request.user, today=today)
    start, end = form.get_period()
    values = form.cleaned_data if form.is_bound and form.is_valid() else {}
    accounts = retention_accounts(scope=form.get_scope(), start=start, end=end, kind=values.get("set") or "cohort",
                                  term=values.get("contract_type") or "", currency=values.get("currency") or None,
                                  today=today).order_by("name", "id")
    paginator = Paginator(accounts, 50)
    page = paginator.get_page(request.GET.get("page"))
    return render(request, "customers/retention_accounts.html", {
        "form": form, "start": start, "end": end, "paginator": paginator, "page_obj": page,
        "object_list": page.object_list, "query": form.query_string()})
