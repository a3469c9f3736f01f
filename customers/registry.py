"""What customers contributes to the base registries (salesops/): demo data, metrics, account panels
and timeline sources. Each area adds its own register_* function and calls it from register()."""


def register() -> None:
    register_saved_lists()
    register_account_pages()
    register_surveys()
    register_contracts()
    register_retention()
    register_activities()
    register_health()
    register_meeting_metrics()
    register_search()
    register_integrations()


# --- surveys (h5): NPS, CSAT and response-rate metrics; the "Voice of the customer" panel; demo -----
SURVEY_DEMO_ORDER = 50  # after pipeline (40), which makes the demo accounts


def register_survey_metrics() -> None:
    from django.utils.translation import gettext_lazy

    from salesops.metrics import PERCENT, SCORE, UP, Metric, register

    from . import survey_metrics as m

    group_by = ("owner", "team", "survey")
    register(Metric(code="nps", name=gettext_lazy("NPS"), unit=SCORE, better=UP, compute=m.nps,
                    records=m.records_of("nps"), breakdown=m.nps_rows, group_by=group_by, app="customers",
                    drilldown_url=m.drilldown_of("nps"),
                    description=gettext_lazy("Net promoter score of the answers in the period: % promoters (9–10) "
                                             "minus % detractors (0–6), with the counts and the response rate.")))
    register(Metric(code="csat", name=gettext_lazy("CSAT"), unit=PERCENT, better=UP, compute=m.csat,
                    records=m.records_of("csat"), breakdown=m.csat_rows, group_by=group_by, app="customers",
                    drilldown_url=m.drilldown_of("csat"),
                    description=gettext_lazy("Customer satisfaction: the share of CSAT answers (1–5) in the period "
                                             "that score 4 or 5.")))
    register(Metric(code="survey_response_rate", name=gettext_lazy("Survey response rate"), unit=PERCENT, better=UP,
                    compute=m.response_rate, records=m.answered_invitation_responses, breakdown=m.response_rate_rows,
                    group_by=group_by, app="customers", drilldown_url=m.response_rate_drilldown,
                    description=gettext_lazy("Of the survey invitations sent in the period, the share answered.")))


def _voice_panel(account, user, request=None):
    from salesops.panels import PanelContent

    from .survey_metrics import account_voice
    return PanelContent("customers/surveys/_voice_panel.html", {"account": account, **account_voice(account=account, user=user)})


def register_survey_panel() -> None:
    from django.utils.translation import gettext

    from salesops import panels
    panels.register("voice", order=60, title=lambda: gettext("Voice of the customer"), render=_voice_panel)


def load_survey_demo(today) -> str:
    from .demo.surveys import seed_surveys
    return seed_surveys(today=today)


def register_surveys() -> None:
    from salesops import demo
    register_survey_metrics()
    register_survey_panel()
    demo.register(SURVEY_DEMO_ORDER, "customers-surveys", load_survey_demo)


# --- account panels and demo data for the accounts pages (h1) ------------------------------------
CONTACTS_PANEL_ORDER = 10  # first on the 360 page: who we talk to (pipeline's "Deals" is 20)
CONTACTS_SHOWN = 10
ACCOUNTS_DEMO_ORDER = 45  # after pipeline (40), which seeds the demo accounts


def contacts_panel(account, user, request):
    """The account's contacts (the first CONTACTS_SHOWN, with a link to all): one query."""
    from salesops.panels import PanelContent
    from teams.predicates import can_change_account

    from .selectors import account_contacts_preview

    contacts, total = account_contacts_preview(account=account, limit=CONTACTS_SHOWN)
    return PanelContent("customers/_contacts_panel.html", {
        "contacts": contacts, "more": total > len(contacts), "total": total,
        "can_change": can_change_account(user, account)})


def load_accounts_demo(today) -> str:
    from django.utils.translation import gettext as _

    from teams.demo import demo_users

    from .demo.accounts import seed_account_owners

    changed = seed_account_owners(users=demo_users())
    return _("%(count)d accounts given a success owner") % {"count": changed}


def register_account_pages() -> None:
    from django.utils.translation import gettext as _

    from salesops import demo, panels

    panels.register("contacts", order=CONTACTS_PANEL_ORDER, title=lambda: _("Contacts"), render=contacts_panel)
    demo.register(ACCOUNTS_DEMO_ORDER, "customers-accounts", load_accounts_demo)


# --- contracts and renewals (h3): metrics, panels, demo -----------------------------------------
CONTRACTS_DEMO_ORDER = 46  # after pipeline's demo accounts and their success owners (45)


def register_contract_metrics() -> None:
    from django.utils.translation import gettext_lazy

    from salesops.metrics import COUNT, DOWN, MONEY, UP, Metric, register as register_metric

    from . import kpis

    register_metric(Metric(
        code="renewals_due", name=gettext_lazy("Renewals due"), unit=COUNT, better=DOWN, compute=kpis.renewals_due,
        records=kpis.renewals_due_records, app="customers", drilldown_url=kpis.renewals_due_url,
        description=gettext_lazy("Active contracts without a renewal outcome ending within 90 days (or already "
                                 "past their end).")))
    register_metric(Metric(
        code="mrr", name=gettext_lazy("Monthly recurring revenue"), unit=MONEY, better=UP, compute=kpis.mrr,
        records=kpis.mrr_records, app="customers", drilldown_url=kpis.mrr_url,
        description=gettext_lazy("Sum of the monthly recurring value of the contracts in force (active and "
                                 "started), per currency.")))


def register_contract_panels() -> None:
    from django.utils.translation import gettext

    from salesops import panels

    from .panels.contracts import contracts_panel, usage_panel

    panels.register("contracts", order=50, title=lambda: gettext("Contracts and renewals"), render=contracts_panel)
    panels.register("usage-tickets", order=60, title=lambda: gettext("Usage and tickets"), render=usage_panel)


def load_contracts_demo(today) -> str:
    from django.utils.translation import gettext

    from .demo_contracts import seed_contracts

    counts = seed_contracts(today=today)
    return gettext("%(contracts)d new contracts, %(usage)d usage events, %(tickets)d tickets") % counts


def register_contracts() -> None:
    from salesops import demo

    register_contract_metrics()
    register_contract_panels()
    demo.register(CONTRACTS_DEMO_ORDER, "customers-contracts", load_contracts_demo)


# --- h6: retention metrics and the public Telco data set ----------------------------------------------
def register_retention_metrics() -> None:
    """Churn, GRR/NRR, LTV, CAC and LTV:CAC in the metric registry (definitions: customers.retention)."""
    from decimal import Decimal

    from django.urls import reverse
    from django.utils.http import urlencode
    from django.utils.translation import gettext_lazy as _

    from salesops.metrics import DOWN, MONEY, PERCENT, RATIO, UP, Metric, MetricResult, MetricRow, register

    from . import retention_selectors as rs
    from .models import Account

    def report(scope, period, months=False):
        if period.start is None or period.end is None:
            return None
        return rs.retention_report(scope=scope, start=period.start, end=period.end, months=months)

    def percent(value):
        return None if value is None else round(value * 100, 2)

    def rate(attribute):
        def compute(scope, period):
            rep = report(scope, period)
            if rep is None:
                return MetricResult(None)
            return MetricResult(percent(getattr(rep.total, attribute)), count=rep.total.movement.accounts,
                                extra={"currency": rep.currency})

        def breakdown(scope, period, group_by):
            rep = report(scope, period)
            if rep is None:
                return []
            return [MetricRow(f.key, f.label, percent(getattr(f, attribute)), f.movement.accounts)
                    for f in rep.by_contract_type]
        return compute, breakdown

    def records_of(kind):
        def records(scope, period, group_by=None, key=None):
            if period.start is None or period.end is None:
                return Account.objects.none()
            term = key if group_by == rs.TERM_KEY and key else ""
            return rs.retention_accounts(scope=scope, start=period.start, end=period.end, kind=kind, term=term)
        return records

    def drilldown_of(kind):
        def drilldown(scope, period, group_by=None, key=None):
            query = {k: v for k, v in (("start", period.start), ("end", period.end), ("team", scope.team_id),
                                       ("owner", scope.owner_id)) if v}
            query["set"] = kind
            if group_by == rs.TERM_KEY and key:
                query["contract_type"] = key
            return reverse("customers:retention-accounts") + "?" + urlencode(query)
        return drilldown

    records = records_of(rs.COHORT)
    drilldown = drilldown_of(rs.COHORT)

    def money(attribute, *, cac=False):
        def compute(scope, period):
            rep = report(scope, period, months=True)
            value = None if rep is None else getattr(rep, attribute)
            if value is None:
                return MetricResult(None, count=None if rep is None else rep.total.movement.accounts)
            return MetricResult(None, count=rep.new_customers if cac else rep.total.movement.accounts,
                                per_currency={rep.currency: round(Decimal(str(value)), 2)})
        return compute

    def ratio(scope, period):
        rep = report(scope, period, months=True)
        value = None if rep is None or rep.ltv_cac is None else round(rep.ltv_cac, 2)
        return MetricResult(value, count=None if rep is None else rep.new_customers)

    rates = [
        ("logo_churn_rate", _("Logo churn rate"), "logo_churn", DOWN,
         _("Accounts of the period's starting cohort left with no contract at its end, as a share of the cohort.")),
        ("revenue_churn_rate", _("Revenue churn rate"), "revenue_churn", DOWN,
         _("(Churned MRR + contraction) ÷ the starting cohort's MRR, over the period (one currency).")),
        ("grr", _("Gross revenue retention"), "grr", UP,
         _("(Start MRR − contraction − churned MRR) ÷ start MRR of the period's starting cohort; at most 100 %.")),
        ("nrr", _("Net revenue retention"), "nrr", UP,
         _("(Start MRR + expansion − contraction − churned MRR) ÷ start MRR of the period's starting cohort.")),
    ]
    for code, name, attribute, better, description in rates:
        compute, breakdown = rate(attribute)
        register(Metric(code=code, name=name, unit=PERCENT, better=better, compute=compute, records=records,
                        breakdown=breakdown, group_by=(rs.TERM_KEY,), description=description, app="customers",
                        drilldown_url=drilldown))
    register(Metric(code="ltv", name=_("Customer lifetime value (LTV)"), unit=MONEY, better=UP, compute=money("ltv"),
                    records=records, description=_(
                        "ARPA × gross margin ÷ monthly revenue churn (the mean of the period's months; lifetime "
                        "capped at 120 months, also when churn is 0). Gross margin: CUSTOMERS_GROSS_MARGIN."),
                    app="customers", drilldown_url=drilldown))
    register(Metric(code="cac", name=_("Customer acquisition cost (CAC)"), unit=MONEY, better=DOWN,
                    compute=money("cac", cac=True), records=records_of(rs.NEW), description=_(
                        "Sales and marketing spend of the period's months ÷ new customers (accounts whose first "
                        "contract started in the period). An organisation figure."),
                    app="customers", drilldown_url=drilldown_of(rs.NEW)))
    register(Metric(code="ltv_cac", name=_("LTV:CAC"), unit=RATIO, better=UP, compute=ratio,
                    records=records_of(rs.NEW), description=_("LTV ÷ CAC over the same period and currency."),
                    app="customers", drilldown_url=drilldown_of(rs.NEW)))


def register_public_datasets() -> None:
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext_lazy as _

    from salesops.importers import PublicDataset, register

    def load(folder, owner) -> str:
        from .services.customer_import import summary_message, telco_public_dataset_load

        result = telco_public_dataset_load(folder=folder, owner=owner)
        if not result.ok:
            raise ValidationError([f"row {e.row}: {e.message}" for e in result.errors[:20]])
        from django.utils.translation import gettext

        return summary_message(result) + " " + gettext(
            "Rows read: %(rows)s; created %(created)s, updated 0, skipped (already imported) %(skipped)s.") % {
            "rows": result.total_rows, "created": result.created, "skipped": result.unchanged}

    register(PublicDataset(code="ibm-telco", name=_("IBM Telco customer churn"),
                           path=("ibm-telco-customer-churn", "WA_Fn-UseC_-Telco-Customer-Churn.csv"),
                           load=load, order=30, app="customers"))


def load_retention_demo(today) -> str:
    from django.utils.translation import gettext as _

    from teams.demo import demo_users

    from .retention_demo import seed_retention

    contracts, spends = seed_retention(users=demo_users(), today=today)
    return _("%(contracts)d new retention demo contracts, %(spends)d spend entries") % {
        "contracts": contracts, "spends": spends}



def register_retention() -> None:
    """h6: retention metrics, the public Telco data set and the retention demo (after pipeline's accounts)."""
    from salesops import demo

    register_retention_metrics()
    register_public_datasets()
    demo.register(47, "customers-retention", load_retention_demo)  # after the contracts demo (46)


# --- activities and tasks (h2): metric, timeline sources, the 360 "timeline" panel, demo ----------
ACTIVITY_DEMO_ORDER = 48  # after leads (20), pipeline (40) and the accounts (45): activities sit on leads and accounts


def register_activities() -> None:
    from salesops import demo, panels, timeline

    from .selectors import activity_timeline_source

    register_activity_metrics()
    for subject, field in (("lead", "lead"), ("account", "account"), ("contact", "contact")):
        timeline.register(subject, "activities", activity_timeline_source(field))
    panels.register("timeline", order=40, title=_timeline_title, render=_timeline_panel)
    demo.register(ACTIVITY_DEMO_ORDER, "customers-activities", _load_activity_demo)


def register_activity_metrics() -> None:
    from django.utils.translation import gettext_lazy

    from salesops.metrics import PERCENT, UP, Metric, register

    from . import kpis

    register(Metric(
        code="activity_logged_within_24h", name=gettext_lazy("Activities logged within 24 h"), unit=PERCENT,
        better=UP, compute=kpis.logged_within_24h, records=kpis.logged, breakdown=kpis.logged_within_24h_rows,
        group_by=("owner", "team"), app="customers", drilldown_url=kpis.logged_url,
        description=gettext_lazy("Of the calls, meetings, emails and notes logged in the period, the share logged "
                                 "within 24 hours of happening (late ones are kept and flagged).")))


def _timeline_title() -> str:
    from django.utils.translation import gettext
    return gettext("Activity timeline")


def _timeline_panel(account, user, request=None):
    from django.urls import reverse

    from salesops.panels import PanelContent
    from salesops.timeline import timeline
    from teams.predicates import can_log_activity

    return PanelContent("customers/_timeline_panel.html", {
        "timeline_items": timeline("account", account, user),
        "quick_log_url": reverse("customers:activity-log") if can_log_activity(user) else "",
        "subject": "account", "subject_id": account.pk,
    })


def _load_activity_demo(today) -> str:
    from .demo_activities import seed_activities
    return seed_activities(today)


# --- health (h4): the 360 panel, the health metrics and the demo health ----------------------------
HEALTH_PANEL_ORDER = 5  # first on the 360 page: how the customer is doing, and why
HEALTH_DEMO_ORDER = 80  # after every loader that adds accounts or their data (pipeline: 40); before dashboards


def register_health() -> None:
    from django.utils.translation import gettext_lazy

    from salesops import demo, metrics, panels

    from . import selectors as s
    from .panels.health import render

    panels.register("health", order=HEALTH_PANEL_ORDER, title=lambda: str(gettext_lazy("Health")), render=render)
    groups = ("band", "owner", "team")
    metrics.register(metrics.Metric(
        code="health_score", name=gettext_lazy("Health score"), unit=metrics.SCORE, better=metrics.UP,
        compute=s.health_score_average, records=s.health_scored_accounts, breakdown=s.health_score_rows,
        group_by=groups, app="customers", drilldown_url=s.health_accounts_url("scored"),
        description=gettext_lazy("Average current health score (0–100) of the accounts with a score; the period is "
                                 "ignored.")))
    metrics.register(metrics.Metric(
        code="accounts_critical", name=gettext_lazy("Critical accounts"), unit=metrics.COUNT, better=metrics.DOWN,
        compute=s.health_critical_count, records=s.health_critical_accounts, breakdown=s.health_critical_rows,
        group_by=groups, app="customers", drilldown_url=s.health_accounts_url("critical"),
        description=gettext_lazy("Accounts whose current health is in the critical band; the period is ignored.")))
    demo.register(HEALTH_DEMO_ORDER, "customers-health", _load_health_demo)


def _load_health_demo(today) -> str:
    from django.utils.translation import gettext as _

    from .services.health import health_demo_load

    return _("%(count)d accounts with a health score") % {"count": health_demo_load(today=today)}
# --- h10: "meetings logged", read by teams' onboarding milestone "first logged meeting" ----------
def _meetings(scope, period, group_by=None, key=None):
    from salesops.metric_tools import keyed, narrow, period_q

    from .models import Activity
    from .selectors import activity_queryset_for

    queryset = narrow(activity_queryset_for(user=scope.user), scope, team_field="owner__team_id")
    queryset = queryset.filter(period_q("occurred_at", period), kind=Activity.Kind.MEETING)
    return keyed(queryset, {"owner": "owner_id", "team": "owner__team_id"}, group_by, key)


def _meetings_logged(scope, period):
    from salesops.metrics import MetricResult

    n = _meetings(scope, period).count()
    return MetricResult(value=n, count=n)


def _meetings_logged_rows(scope, period, group_by):
    from django.db.models import Count, F

    from salesops.metric_tools import rows_by
    from teams.selectors import person_or_team_labels

    field = {"owner": "owner_id", "team": "owner__team_id"}[group_by]
    rows = list(_meetings(scope, period).order_by().values(group=F(field)).annotate(n=Count("pk")).order_by("group"))
    return rows_by(rows, "group", person_or_team_labels(group_by, [r["group"] for r in rows]), lambda r: r["n"])


def _meetings_drilldown(scope, period, group_by=None, key=None):
    """The activity list (customers:activity-list, h2) of the meetings: kind, owner/team, occurred in the period."""
    from datetime import timedelta

    from salesops.metric_tools import day_start, link, scope_params

    params = {"kind": "meeting", **scope_params(scope)}
    if period.start:
        params["occurred_after"] = day_start(period.start).isoformat()
    if period.end:
        params["occurred_before"] = (day_start(period.end + timedelta(days=1)) - timedelta(microseconds=1)).isoformat()
    if group_by and key:
        params[group_by] = key
    return link("customers:activity-list", params)


def register_meeting_metrics() -> None:
    from django.utils.translation import gettext_lazy

    from salesops.metrics import COUNT, UP, Metric, register

    register(Metric(code="meetings_logged", name=gettext_lazy("Meetings logged"), unit=COUNT, better=UP,
                    compute=_meetings_logged, records=_meetings, breakdown=_meetings_logged_rows,
                    group_by=("owner", "team"), app="customers", drilldown_url=_meetings_drilldown,
                    description=gettext_lazy("Meetings that took place in the period, by the owner who logged them.")))
# --- global search (salesops.search, h13): accounts by name or domain, contacts by name or email --
def search_accounts(user, q, limit):
    from django.db.models import Q
    from django.utils.translation import gettext as _

    from salesops.search import Hit

    from .selectors import account_queryset_for

    accounts = (account_queryset_for(user=user).filter(Q(name__icontains=q) | Q(domain__icontains=q))
                .order_by("name", "id")[:limit])
    return [Hit(kind="account", kind_label=_("Accounts"), title=account.name,
                subtitle=" · ".join(part for part in (account.domain, str(account.owner or "")) if part),
                url=account.get_absolute_url()) for account in accounts]


def search_contacts(user, q, limit):
    from django.db.models import Q
    from django.urls import reverse
    from django.utils.translation import gettext as _

    from salesops.search import Hit

    from .selectors import contact_queryset_for

    contacts = (contact_queryset_for(user=user).filter(Q(name__icontains=q) | Q(email__icontains=q))
                .order_by("name", "id")[:limit])
    return [Hit(kind="contact", kind_label=_("Contacts"), title=contact.name,
                subtitle=" · ".join(part for part in (contact.account.name, contact.email) if part),
                url=reverse("customers:account-contacts", args=[contact.account_id])) for contact in contacts]


def register_search() -> None:
    from urllib.parse import urlencode

    from django.urls import reverse
    from django.utils.translation import gettext_lazy

    from salesops import search

    search.register("account", search_accounts, label=lambda: gettext_lazy("Accounts"), order=30,
                    more_url=lambda q: f"{reverse('customers:account-list')}?{urlencode({'q': q})}")
    search.register("contact", search_contacts, label=lambda: gettext_lazy("Contacts"), order=40)


# --- the account and activity lists' built-in filters (issue 12) -------------------------------
def register_saved_lists() -> None:
    from datetime import datetime, time, timedelta

    from django.utils import timezone
    from django.utils.translation import gettext_lazy

    from salesops.list_filters import Preset, SavedList, register_list

    def week_start(today) -> str:
        start = datetime.combine(today - timedelta(days=today.weekday()), time.min)
        return timezone.make_aware(start).isoformat()

    register_list(SavedList(key="accounts", title=gettext_lazy("Accounts"), url_name="customers:account-list",
                            presets=(Preset("mine", gettext_lazy("My accounts"), lambda user, today: {"mine": "on"}),
                                     Preset("at_risk", gettext_lazy("Accounts at risk"),
                                            lambda user, today: {"health": "at_risk"}))))
    register_list(SavedList(key="activities", title=gettext_lazy("Activities"), url_name="customers:activity-list",
                            presets=(Preset("my_week", gettext_lazy("My activities this week"),
                                            lambda user, today: {"owner": user.pk,
                                                                 "occurred_after": week_start(today)}),
                                     Preset("my_open_tasks", gettext_lazy("My tasks"),
                                            lambda user, today: {"owner": user.pk, "kind": "task"}))))


def register_integrations() -> None:
    """Event types of customers for webhooks and the change feed (integrations.events)."""
    from django.utils.translation import gettext_lazy

    from integrations import events

    events.register("account.health_band_changed", label=gettext_lazy("Account health band changed"),
                    object_type="account")
    events.register("survey.answered", label=gettext_lazy("Survey answered"), object_type="survey_response")
