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
    demo.register(DEMO_ORDER, "pipeline", load_demo)
