"""What customers contributes to the base registries (salesops/): demo data, metrics, account panels
and timeline sources. Each area adds its own register_* function and calls it from register()."""


def register() -> None:
    register_contracts()  # h3: contracts and renewals, usage and tickets


# --- contracts and renewals (h3): metrics, panels, demo -----------------------------------------
CONTRACTS_DEMO_ORDER = 45  # after pipeline's demo accounts


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

