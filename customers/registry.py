"""What customers contributes to the base registries (salesops/): demo data, metrics, account panels
and timeline sources. Each area adds its own register_* function and calls it from register()."""


def register() -> None:
    register_health()


# --- health (h4): the 360 panel, the health metrics and the demo health ----------------------------
HEALTH_PANEL_ORDER = 20
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
        group_by=groups, app="customers",
        description=gettext_lazy("Average current health score (0–100) of the accounts with a score; the period is "
                                 "ignored.")))
    metrics.register(metrics.Metric(
        code="accounts_critical", name=gettext_lazy("Critical accounts"), unit=metrics.COUNT, better=metrics.DOWN,
        compute=s.health_critical_count, records=s.health_critical_accounts, breakdown=s.health_critical_rows,
        group_by=groups, app="customers",
        description=gettext_lazy("Accounts whose current health is in the critical band; the period is ignored.")))
    demo.register(HEALTH_DEMO_ORDER, "customers-health", _load_health_demo)


def _load_health_demo(today) -> str:
    from django.utils.translation import gettext as _

    from .services.health import health_demo_load

    return _("%(count)d accounts with a health score") % {"count": health_demo_load(today=today)}
