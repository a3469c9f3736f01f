"""What leads contributes to the base registries (salesops/): its demo leads, events and nurture."""
from django.utils.translation import gettext as _

from salesops import demo

DEMO_ORDER = 20  # after teams (owners, territories); before pipeline (deals reference the demo leads' world)


def load_demo(today) -> str:
    from teams.demo import demo_users

    from .demo import seed_leads, seed_routing_rules
    from .demo.nurture import seed_nurture
    from .demo.scoring import seed_events

    users = demo_users()
    seed_routing_rules()  # before the leads: demo leads reaching the top grade are routed
    added = seed_leads(users=users)
    events = seed_events()
    seed_nurture(users=users)
    return _("%(leads)d new leads, %(events)d new behaviour events") % {"leads": added, "events": events}


def register() -> None:
    register_saved_lists()
    demo.register(DEMO_ORDER, "leads", load_demo)
    register_metrics()
    register_public_datasets()
    register_search()
    register_integrations()


def register_integrations() -> None:
    """Event types of leads for webhooks and the change feed (integrations.events), and the scope
    integration keys need for the behaviour-event endpoint."""
    from django.utils.translation import gettext_lazy

    from integrations import events, scopes

    for code, label in (("lead.created", gettext_lazy("Lead created")),
                        ("lead.scored", gettext_lazy("Lead scored")),
                        ("lead.grade_changed", gettext_lazy("Lead grade changed")),
                        ("lead.assigned", gettext_lazy("Lead assigned")),
                        ("lead.form_submitted", gettext_lazy("Web form submitted"))):
        events.register(code, label=label, object_type="lead")
    scopes.register("lead-event", read="leads:read", write="events:write")


# --- metrics (salesops.metrics): computed in leads.selectors.kpis ----------------------------------------
def register_metrics() -> None:
    from django.utils.translation import gettext_lazy

    from salesops.metrics import COUNT, DAYS, DOWN, PERCENT, UP, Metric, register

    from .selectors import kpis as k

    for code, name, unit, compute, records, breakdown, group_by, url, description in (
        ("lead_volume", gettext_lazy("Lead volume"), COUNT, k.lead_volume, k.created, k.lead_volume_rows,
         k.GROUPS, k.created_range, gettext_lazy("Leads created in the period.")),
        ("mql_count", gettext_lazy("MQLs"), COUNT, k.mql_count, k.became_mql, k.mql_count_rows, ("source",), k.mql_range,
         gettext_lazy("Leads that reached the top grade (became MQL) in the period.")),
        ("mql_rate", gettext_lazy("MQL rate"), PERCENT, k.mql_rate, k.created, k.mql_rate_rows, k.GROUPS, k.created_range,
         gettext_lazy("Of the leads created in the period, the share that became MQL.")),
        ("mql_to_opportunity", gettext_lazy("MQL → opportunity"), PERCENT, k.mql_to_opportunity, k.became_mql,
         k.mql_to_opportunity_rows, ("source",), k.mql_range,
         gettext_lazy("Of the leads that became MQL in the period, the share converted to a deal (or imported as converted).")),
        ("lead_to_won", gettext_lazy("Lead → won"), PERCENT, k.lead_to_won, k.created, k.lead_to_won_rows, k.GROUPS,
         k.created_range, gettext_lazy("Of the leads created in the period, the share won (or imported as converted).")),
        ("lead_days_to_won", gettext_lazy("Days to won (leads)"), DAYS, k.days_to_won, k.won_leads,
         k.days_to_won_rows, k.GROUPS, k.won_range,
         gettext_lazy("Median days from a lead's creation (an imported file's first contact date) to its won date, "
                      "over the leads won in the period; leads of unknown date are left out.")),
        ("data_completeness", gettext_lazy("Data completeness"), PERCENT, k.data_completeness, k.created,
         k.data_completeness_rows, ("owner", "team"), k.created_range,
         gettext_lazy("Average profile completeness of the leads created in the period.")),
    ):
        register(Metric(code=code, name=name, unit=unit, better=DOWN if unit == DAYS else UP, compute=compute,
                        records=records,
                        breakdown=breakdown, group_by=group_by, description=description, app="leads",
                        drilldown_url=k.drilldown(url)))


# --- the public data set (salesops.importers, `manage.py load_public_datasets`; h6) ---------------------
def register_public_datasets() -> None:
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext_lazy

    from salesops.importers import PublicDataset, register

    def load(folder, owner) -> str:
        from .models import ImportMapping
        from .services.imports import leads_import

        mapping = ImportMapping.objects.get(name="X Education")
        result = leads_import(by=None, data=(folder / "x-education-leads" / "Leads.csv").read_bytes(),
                              mapping=mapping, default_owner=owner, source=mapping.name)
        if not result.ok:
            raise ValidationError([f"row {e.row}: {e.message}" for e in result.errors[:20]])
        return x_education_summary(result, mapping)

    def load_olist(folder, owner) -> str:
        from .services.olist import olist_import, read_dataset, summary_message

        result = olist_import(dataset=read_dataset(folder / "olist-marketing-funnel"), owner=owner)
        if not result.ok:
            raise ValidationError([f"{e.file}:{e.row}: {e.message}" for e in result.errors[:20]])
        return summary_message(result)

    register(PublicDataset(code="x-education", name=gettext_lazy("X Education leads"),
                           path=("x-education-leads", "Leads.csv"), load=load, order=10, app="leads"))
    register(PublicDataset(code="olist", name=gettext_lazy("Olist marketing funnel"),
                           path=("olist-marketing-funnel", "olist_marketing_qualified_leads_dataset.csv"),
                           load=load_olist, order=15, app="leads"))


def x_education_summary(result, mapping) -> str:
    """Rows read, created, skipped, and what the mapping mapped or kept verbatim (two reads)."""
    from django.db.models import Count

    from .models import Lead

    imported = Lead.objects.filter(imported_from=mapping.name)
    kept = imported.aggregate(sources=Count("source_detail", distinct=True), codes=Count("source", distinct=True),
                              origins=Count("origin", distinct=True))
    undated = imported.filter(date_unknown=True).count()
    return _("Rows read: %(rows)s; created %(created)s, updated 0, skipped (already imported) %(skipped)s. "
             "Lead Source: %(sources)s values kept verbatim, mapped to %(codes)s source codes; Lead Origin: "
             "%(origins)s values kept verbatim; the file has no dates: %(undated)s leads marked “date unknown”.") % {
        "rows": result.total_rows, "created": result.created, "skipped": len(result.duplicates), **kept,
        "undated": undated}


# --- global search (salesops.search, h13): leads by name, company or email ------------------------
def search_leads(user, q, limit):
    from django.db.models import Q
    from django.urls import reverse
    from django.utils.translation import gettext as _

    from salesops.search import Hit

    from .selectors import lead_queryset_for

    leads = (lead_queryset_for(user=user)
             .filter(Q(name__icontains=q) | Q(company__icontains=q) | Q(email__icontains=q))
             .order_by("-created_at", "-id")[:limit])
    return [Hit(kind="lead", kind_label=_("Leads"), title=lead.name,
                subtitle=" · ".join(part for part in (lead.company, lead.email, lead.get_status_display()) if part),
                url=reverse("leads:detail", args=[lead.pk])) for lead in leads]


def register_search() -> None:
    from urllib.parse import urlencode

    from django.urls import reverse
    from django.utils.translation import gettext_lazy

    from salesops import search

    search.register("lead", search_leads, label=lambda: gettext_lazy("Leads"), order=10,
                    more_url=lambda q: f"{reverse('leads:list')}?{urlencode({'q': q})}")


# --- the lead list's built-in filters (issue 12) -------------------------------------------------
def register_saved_lists() -> None:
    from datetime import timedelta

    from django.utils.translation import gettext_lazy

    from salesops.list_filters import Preset, SavedList, register_list

    def monday(today):
        return today - timedelta(days=today.weekday())

    register_list(SavedList(key="leads", title=gettext_lazy("Leads"), url_name="leads:list", presets=(
        Preset("my_new_this_week", gettext_lazy("My new leads this week"),
               lambda user, today: {"owner": user.pk, "status": "new", "created_after": monday(today).isoformat()}),
        Preset("my_working", gettext_lazy("My leads in progress"),
               lambda user, today: {"owner": user.pk, "status": ["new", "working", "nurturing"],
                                    "ordering": "-score"}),
        Preset("top_scored", gettext_lazy("Highest scores first"), lambda user, today: {"ordering": "-score"}),
    )))
