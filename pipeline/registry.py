"""What pipeline contributes to the base registries (salesops/): its demo deals and forecast history."""
from django.utils.translation import gettext as _

from salesops import demo

DEMO_ORDER = 40  # after teams, leads and customers


def load_demo(today) -> str:
    from teams.demo import demo_users

    from .demo import seed_pipeline

    deals = seed_pipeline(users=demo_users(), today=today)
    return _("%(count)d new opportunities") % {"count": deals}


def register() -> None:
    register_saved_lists()
    demo.register(DEMO_ORDER, "pipeline", load_demo)
    register_metrics()
    register_panels()
    register_handoff_panel()
    register_public_datasets()
    register_activities()
    register_onboarding_metrics()
    register_knowledge()
    register_integrations()
    register_search()


# --- account panels (salesops.panels): the customer-360 page ------------------------------------
HANDOFF_PANEL_ORDER = 35


def handoff_panel(account, user, request=None):
    """Per won deal of the account: its handoff checklist (feasibility by whom) and onboarding tasks."""
    from salesops.panels import PanelContent

    from .selectors.handoff import account_handoff_rows, account_open_awaiting_feasibility

    return PanelContent("pipeline/_handoff_panel.html", {
        "account": account, "rows": account_handoff_rows(account=account),
        "awaiting_feasibility": account_open_awaiting_feasibility(account=account)})


def register_handoff_panel() -> None:
    from django.utils.translation import gettext

    from salesops import panels

    panels.register("handoff", order=HANDOFF_PANEL_ORDER, title=lambda: gettext("Handoff"), render=handoff_panel)


# --- metrics (salesops.metrics): computed in pipeline.selectors.kpis ------------------------------------
def register_metrics() -> None:
    from django.utils.translation import gettext_lazy

    from salesops.metrics import COUNT, DAYS, DOWN, MONEY, PERCENT, UP, Metric, register

    from .selectors import kpis as k

    people = ("owner", "team")
    imported = ("source_sector", "office")  # verbatim values an import kept (issue 13)
    p50, p50_rows = k.time_in_stage(50)
    p90, p90_rows = k.time_in_stage(90)
    for code, name, unit, better, compute, records, breakdown, group_by, url, description in (
        ("deals_in_stage", gettext_lazy("Deals per stage"), COUNT, UP, k.deals_in_stage, k.funnel_records,
         k.deals_in_stage_rows, ("stage",), k.funnel_entered,
         gettext_lazy("Deals currently in each stage that entered it in the period (a closed deal: closed in the period).")),
        ("pipeline_amount", gettext_lazy("Pipeline amount"), MONEY, UP, k.pipeline_amount, k.funnel_records,
         k.pipeline_amount_rows, ("stage",), k.funnel_entered,
         gettext_lazy("Amount of the deals per stage (funnel), per currency.")),
        ("stage_conversion", gettext_lazy("Stage conversion"), PERCENT, UP, k.stage_conversion, k.funnel_records,
         k.stage_conversion_rows, ("stage",), k.funnel_entered,
         gettext_lazy("Of the funnel's deals, the share that reached the next stage (per stage) or won (overall).")),
        ("win_rate", gettext_lazy("Win rate"), PERCENT, UP, k.win_rate, k.closed_records, k.win_rate_rows,
         (*people, *imported),
         lambda period: {"is_open": "false", **k.closed_range(period)},
         gettext_lazy("Won / (won + lost) among the deals closed in the period.")),
        ("deals_won", gettext_lazy("Deals won"), COUNT, UP, k.deals_won, k.won_records, k.deals_won_rows,
         (*people, *imported), k.won_params,
         gettext_lazy("Deals closed won in the period.")),
        ("won_value", gettext_lazy("Won value"), MONEY, UP, k.won_value, k.won_records, k.won_value_rows,
         (*people, "product", "sector", *imported), k.won_params,
         gettext_lazy("Amount of the deals won in the period, per currency (per product: the deals' lines).")),
        ("sales_cycle_days", gettext_lazy("Sales cycle"), DAYS, DOWN, k.sales_cycle_days, k.won_records, k.sales_cycle_rows,
         people, k.won_params, gettext_lazy("Average days from created to closed of the deals won in the period (and median).")),
        ("time_in_stage_p50", gettext_lazy("Time in stage (median)"), DAYS, DOWN, p50, k.stay_records, p50_rows, ("stage",),
         k.moved_range, gettext_lazy("Median days spent in a stage, over the stays that ended in the period.")),
        ("time_in_stage_p90", gettext_lazy("Time in stage (90th percentile)"), DAYS, DOWN, p90, k.stay_records, p90_rows,
         ("stage",), k.moved_range, gettext_lazy("90th percentile of the days spent in a stage, stays ended in the period.")),
        ("stalled_deals", gettext_lazy("Stalled deals"), COUNT, DOWN, k.stalled_deals, k.stalled_records, k.stalled_rows,
         (*people, "stage"), lambda period: {"is_open": "true", "stalled": "true"},
         gettext_lazy("Open deals flagged stalled now (the period is ignored).")),
        ("forecast_weighted", gettext_lazy("Weighted forecast"), MONEY, UP, k.forecast_weighted, k.forecast_records,
         k.forecast_rows_by, people, k.forecast_params,
         gettext_lazy("Won in the period plus open deals expected to close in it times their chosen probability, per currency.")),
        ("quota_attainment", gettext_lazy("Quota attainment"), PERCENT, UP, k.quota_attainment, k.quota_records, k.quota_rows,
         people, k.won_params,
         gettext_lazy("Won value of the reps with a quota inside the period, in the quota's currency, / that quota.")),
        ("high_margin_share", gettext_lazy("High-margin share"), PERCENT, UP, k.high_margin_share, k.won_records, None, (),
         k.won_params, gettext_lazy("Share of the won deals' line revenue that comes from high-margin products.")),
    ):
        stage_param = "left_stage" if records is k.stay_records else "stage"
        register(Metric(code=code, name=name, unit=unit, better=better, compute=compute, records=records,
                        breakdown=breakdown, group_by=group_by, description=description, app="pipeline",
                        drilldown_url=k.drilldown(url, stage_param=stage_param)))


# --- the customer-360 page's "Deals" panel (salesops.panels) --------------------------------------
DEALS_PANEL_ORDER = 20  # after customers' contacts (10)


def deals_panel(account, user, request):
    """The account's deals the user may see: open first, then closed, with totals per currency."""
    from salesops.panels import PanelContent
    from teams.predicates import can_change_customer_records

    from .selectors.accounts import account_deals_for

    return PanelContent("pipeline/_deals_panel.html", {
        **account_deals_for(user=user, account=account), "can_create": can_change_customer_records(user)})


ORIGIN_LEAD_PANEL_ORDER = 25


def origin_lead_panel(account, user, request):
    """The lead(s) the account's deals were converted from, when the user may see them; else hidden."""
    from salesops.panels import PanelContent

    from .selectors.accounts import account_origin_leads_for

    leads = account_origin_leads_for(user=user, account=account)
    return PanelContent("pipeline/_origin_lead_panel.html", {"leads": leads}) if leads else None


def register_panels() -> None:
    from django.utils.translation import gettext as _

    from salesops import panels

    panels.register("deals", order=DEALS_PANEL_ORDER, title=lambda: _("Opportunities"), render=deals_panel)
    panels.register("origin_lead", order=ORIGIN_LEAD_PANEL_ORDER, title=lambda: _("Origin lead"),
                    render=origin_lead_panel)
# --- the public data set (salesops.importers, `manage.py load_public_datasets`; h6) ---------------------
def register_public_datasets() -> None:
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext_lazy

    from salesops.importers import PublicDataset, register

    def load(folder, owner) -> str:
        from .importing import alias_lines, opportunities_import, read_dataset, summary_message

        dataset = read_dataset(folder / "maven-crm-sales-opportunities" / "sales_pipeline.csv")
        result = opportunities_import(dataset=dataset, by=None)
        if not result.ok:
            raise ValidationError([f"{e.file}:{e.row}: {e.message}" for e in result.errors[:20]])
        return summary_message(result, alias_lines(dataset))

    register(PublicDataset(code="maven-crm", name=gettext_lazy("Maven CRM sales opportunities"),
                           path=("maven-crm-sales-opportunities", "sales_pipeline.csv"), load=load, order=20,
                           app="pipeline"))
# --- activities (h2): a deal's timeline lists the activities linked to it; demo calls on deals ---------
def register_activities() -> None:
    from salesops import demo, timeline

    timeline.register("opportunity", "activities", _deal_activities)
    demo.register(DEMO_ORDER + 9, "pipeline-activities", _load_activity_demo)  # after customers' (48)


def _deal_activities(opportunity, user, limit: int):
    """The activities linked to the deal (OpportunityActivity), newest first: one query. Whoever sees
    the deal sees what was logged about it (the deal's visibility decides, as a lead's does)."""
    from customers.selectors import timeline_items

    from .selectors import opportunity_activities

    return timeline_items(opportunity_activities(opportunity=opportunity, limit=limit))


def _load_activity_demo(today) -> str:
    from .demo import seed_deal_activities

    return _("%(count)d new deal activities") % {"count": seed_deal_activities(today=today)}


# --- h10: "deals created", read by teams' onboarding milestone "first opportunity" ---------------
def register_onboarding_metrics() -> None:
    from django.utils.translation import gettext_lazy

    from salesops.metric_tools import period_params
    from salesops.metrics import COUNT, UP, Metric, register

    from .selectors import kpis as k

    register(Metric(code="deals_created", name=gettext_lazy("Deals created"), unit=COUNT, better=UP,
                    compute=k.deals_created, records=k.created_records, breakdown=k.deals_created_rows,
                    group_by=("owner", "team", "stage"), app="pipeline",
                    drilldown_url=k.drilldown(lambda period: period_params("created", period)),
                    description=gettext_lazy("Opportunities created in the period (by their owner).")))


# --- knowledge base (h12): demo links and the article page's deal figures ------------------------
KB_DEMO_ORDER = 41  # after the pipeline demo (its competitor) and teams' articles


def load_kb_demo(today) -> str:
    from .demo_kb import link_demo_articles

    return _("%(count)d knowledge-base links") % {"count": link_demo_articles()}


def article_deal_figures(article, user):
    """"Opened on N deals, M later won" for the article page (counts only: no deal is named)."""
    from salesops.article_figures import Figure

    from .selectors.knowledge import article_deal_figures as compute

    row = compute(article=article)
    return [Figure(code="deal_opens", label=_("Opened from deal pages"), value=row["opens"]),
            Figure(code="deals", label=_("Deals it was opened on"), value=row["deals"]),
            Figure(code="deals_won", label=_("Of those, won after an opening"), value=row["won"])]


def register_knowledge() -> None:
    from salesops import article_figures

    demo.register(KB_DEMO_ORDER, "pipeline_kb", load_kb_demo)
    article_figures.register("pipeline_deals", order=10, figures=article_deal_figures)


# --- global search (salesops.search, h13): deals by their name or their account's name -----------
def search_deals(user, q, limit):
    from django.db.models import Q
    from django.urls import reverse
    from django.utils.translation import gettext as _

    from salesops.search import Hit

    from .selectors import opportunity_queryset_for

    deals = (opportunity_queryset_for(user=user).select_related("account", "stage")
             .filter(Q(name__icontains=q) | Q(account__name__icontains=q))
             .order_by("closed_at", "-updated_at", "-id")[:limit])  # open deals first
    return [Hit(kind="deal", kind_label=_("Opportunities"), title=deal.name,
                subtitle=f"{deal.account.name} · {deal.stage.label}",
                url=reverse("pipeline:detail", args=[deal.pk])) for deal in deals]


def register_search() -> None:
    from urllib.parse import urlencode

    from django.urls import reverse
    from django.utils.translation import gettext_lazy

    from salesops import search

    search.register("deal", search_deals, label=lambda: gettext_lazy("Opportunities"), order=20,
                    more_url=lambda q: f"{reverse('pipeline:list')}?{urlencode({'q': q})}")


# --- the deal list's built-in filters (issue 12) -------------------------------------------------
def register_saved_lists() -> None:
    import calendar

    from django.utils.translation import gettext_lazy

    from salesops.list_filters import Preset, SavedList, register_list

    def month(today):
        last = calendar.monthrange(today.year, today.month)[1]
        return today.replace(day=1).isoformat(), today.replace(day=last).isoformat()

    def closing_this_month(user, today):
        first, last = month(today)
        return {"owner": user.pk, "is_open": "true", "close_after": first, "close_before": last,
                "ordering": "expected_close_date"}

    register_list(SavedList(key="deals", title=gettext_lazy("Opportunities"), url_name="pipeline:list", presets=(
        Preset("my_open_closing_this_month", gettext_lazy("My open deals closing this month"), closing_this_month),
        Preset("my_stalled", gettext_lazy("My stalled deals"),
               lambda user, today: {"owner": user.pk, "is_open": "true", "stalled": "true"}),
        Preset("biggest_open", gettext_lazy("Biggest open deals"),
               lambda user, today: {"is_open": "true", "ordering": "-amount"}),
    )))


def register_integrations() -> None:
    """Event types of deals for webhooks and the change feed (integrations.events)."""
    from django.utils.translation import gettext_lazy

    from integrations import events

    for code, label in (("opportunity.stage_changed", gettext_lazy("Deal stage changed")),
                        ("opportunity.won", gettext_lazy("Deal won")),
                        ("opportunity.lost", gettext_lazy("Deal lost"))):
        events.register(code, label=label, object_type="opportunity")
