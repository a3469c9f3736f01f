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


# --- knowledge base (h12) ---
KB_DEMO_ORDER = 11  # right after the organisation: the articles' author is a demo person


def load_kb_demo(today) -> str:
    from .knowledge.demo import seed_articles
    from .models import User

    author = User.objects.filter(username="marketing").first()
    return _("%(count)d new articles") % {"count": seed_articles(author=author)}


_register_without_kb = register


def register() -> None:  # noqa: F811  (appended block: the original registrations, then the KB's)
    _register_without_kb()
    demo.register(KB_DEMO_ORDER, "teams_kb", load_kb_demo)
