"""What customers contributes to the base registries (salesops/): demo data, metrics, account panels
and timeline sources. Each area adds its own register_* function and calls it from register()."""


def register() -> None:
    register_account_pages()
    register_surveys()
    register_contracts()


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

    from .panels import contracts_panel, usage_panel

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

