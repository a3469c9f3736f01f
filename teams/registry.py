"""What teams contributes to the base registries (salesops/): its demo organisation."""
from django.utils.translation import gettext as _

from salesops import demo

DEMO_ORDER = 10  # first: every other app's demo data belongs to these people


def load_demo(today) -> str:
    from .demo import seed_organisation

    users = seed_organisation(today=today)
    return _("%(count)d users") % {"count": len(users)}


COMPENSATION_DEMO_ORDER = 80  # after the apps whose metrics the bonus reads (pipeline, leads, customers)


def load_compensation_demo(today) -> str:
    from .demo import seed_compensation

    done = seed_compensation(today=today)
    return _("%(count)d payouts") % {"count": done["payouts"]}


def register() -> None:
    demo.register(DEMO_ORDER, "teams", load_demo)
    demo.register(COMPENSATION_DEMO_ORDER, "teams-compensation", load_compensation_demo)
