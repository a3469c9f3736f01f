"""What dashboards contributes to the base registries (salesops/): the seed's demo goals."""
from django.utils.translation import gettext as _

from salesops import demo

DEMO_ORDER = 90  # last: goals measure the other apps' demo data


def load_demo(today) -> str:
    from .demo import seed_goals, seed_snapshots

    created, skipped = seed_goals(today=today)
    written = seed_snapshots(today=today)  # h8: organisation month snapshots (card trends)
    return _("%(count)d new goals (%(skipped)d seed goals wait for their metrics)") % {
        "count": created, "skipped": skipped} + "; " + _("%(count)d KPI snapshots") % {"count": written}


def register() -> None:
    demo.register(DEMO_ORDER, "dashboards", load_demo)
