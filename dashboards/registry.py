"""What dashboards contributes to the base registries (salesops/): the seed's demo goals."""
from django.utils.translation import gettext as _

from salesops import demo

DEMO_ORDER = 90  # last: goals measure the other apps' demo data


def load_demo(today) -> str:
    from .demo import seed_goals

    created, skipped = seed_goals(today=today)
    return _("%(count)d new goals (%(skipped)d seed goals wait for their metrics)") % {
        "count": created, "skipped": skipped}


def register() -> None:
    demo.register(DEMO_ORDER, "dashboards", load_demo)
