"""What teams contributes to the base registries (salesops/): its demo organisation."""
from django.utils.translation import gettext as _

from salesops import demo

DEMO_ORDER = 10  # first: every other app's demo data belongs to these people


def load_demo(today) -> str:
    from .demo import seed_organisation

    users = seed_organisation(today=today)
    return _("%(count)d users") % {"count": len(users)}


def register() -> None:
    demo.register(DEMO_ORDER, "teams", load_demo)
    register_onboarding()


# --- onboarding (h10): demo hire and plan; time to first deal and ramp as metrics -------------------
ONBOARDING_DEMO_ORDER = 70  # after pipeline (40) and customers (45, 50): the hire's milestones read their data


def load_onboarding_demo(today) -> str:
    from .demo import seed_onboarding

    from django.utils.translation import ngettext

    made = seed_onboarding(today=today)
    return ngettext("%(count)d new onboarding plan", "%(count)d new onboarding plans", made) % {"count": made}


def register_onboarding() -> None:
    from django.utils.translation import gettext_lazy

    from salesops.metrics import DAYS, DOWN, Metric, register

    from .selectors import onboarding as s

    demo.register(ONBOARDING_DEMO_ORDER, "teams-onboarding", load_onboarding_demo)
    register(Metric(code="time_to_first_deal_days", name=gettext_lazy("Time to first deal"), unit=DAYS, better=DOWN,
                    compute=s.time_to_first_deal_days, records=s.first_deal_records, app="teams",
                    drilldown_url=s.first_deal_drilldown,
                    description=gettext_lazy("Average days from the start of a new hire's onboarding plan to their "
                                             "first won deal, over the hires whose first deal fell in the period.")))
    # Ramp (months) is shown on the onboarding figures page only: the registry has no unit for months.
