"""What customers contributes to the base registries (salesops/): demo data, metrics, account panels
and timeline sources. Each area adds its own register_* function and calls it from register()."""


def register() -> None:
    register_account_pages()
    register_surveys()
    register_meeting_metrics()


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
    rows = list(_meetings(scope, period).order_by().values(key=F(field)).annotate(n=Count("pk")).order_by("key"))
    return rows_by(rows, "key", person_or_team_labels(group_by, [r["key"] for r in rows]), lambda r: r["n"])


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
