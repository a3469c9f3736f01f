"""What customers contributes to the base registries (salesops/): demo data, metrics, account panels
and timeline sources. Each area adds its own register_* function and calls it from register()."""


def register() -> None:
    register_activities()


# --- activities and tasks (h2): metric, timeline sources, the 360 "timeline" panel, demo ----------
ACTIVITY_DEMO_ORDER = 45  # after leads (20) and pipeline (40): the activities sit on their leads and accounts


def register_activities() -> None:
    from salesops import demo, panels, timeline

    from .selectors import activity_timeline_source

    register_metrics()
    for subject, field in (("lead", "lead"), ("account", "account"), ("contact", "contact")):
        timeline.register(subject, "activities", activity_timeline_source(field))
    panels.register("timeline", order=40, title=_timeline_title, render=_timeline_panel)
    demo.register(ACTIVITY_DEMO_ORDER, "customers-activities", _load_activity_demo)


def register_metrics() -> None:
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
