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
    demo.register(DEMO_ORDER, "leads", load_demo)
