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
    register_training()
    register_knowledge()
    register_compensation()
    register_search()


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


# --- training, certification and awards (h11) ---------------------------------------------------
# Two metrics over the people the viewer may read (teams.selectors.training.people_in_scope):
# `certified_share` (required certifications held and valid at the period's end) and
# `training_participation` (assigned courses attempted in the period; compensation's process KPI).
TRAINING_DEMO_ORDER = 60  # after pipeline (40): the best newcomer reads the demo deals' quota attainment


def _as_of(period):
    from django.utils import timezone

    return period.end or timezone.localdate()


def certified_share(scope, period):
    from salesops.metrics import MetricResult

    from . import exams
    from .selectors.training import certified_share_parts, people_in_scope

    people = people_in_scope(user=scope.user, team_id=scope.team_id, owner_id=scope.owner_id)
    valid, required = certified_share_parts(people=people, as_of=_as_of(period))
    return MetricResult(value=exams.percent(valid, required), count=valid, extra={"required": required})


def certified_share_records(scope, period):
    from .selectors.training import people_in_scope, valid_grants

    people = people_in_scope(user=scope.user, team_id=scope.team_id, owner_id=scope.owner_id)
    return valid_grants(people=people, as_of=_as_of(period))


def training_participation(scope, period):
    from salesops.metrics import MetricResult

    from . import exams
    from .selectors.training import participation_parts, people_in_scope

    people = people_in_scope(user=scope.user, team_id=scope.team_id, owner_id=scope.owner_id)
    attempted, assigned = participation_parts(people=people, start=period.start, end=period.end)
    return MetricResult(value=exams.percent(attempted, assigned), count=attempted, extra={"assigned": assigned})


def training_participation_records(scope, period):
    from .selectors.training import people_in_scope, period_attempts

    people = people_in_scope(user=scope.user, team_id=scope.team_id, owner_id=scope.owner_id)
    return period_attempts(people=people, start=period.start, end=period.end).select_related("exam__course", "user")


def _query(scope, **params) -> str:
    from urllib.parse import urlencode

    params.update({"team": scope.team_id, "user": scope.owner_id})
    return urlencode({k: v for k, v in params.items() if v not in (None, "")})


def certified_share_drilldown(scope, period) -> str:
    from django.urls import reverse

    return f"{reverse('teams:grant-list')}?{_query(scope, required='true', valid_on=_as_of(period).isoformat())}"


def training_participation_drilldown(scope, period) -> str:
    from django.urls import reverse

    return f"{reverse('teams:attempt-list')}?" + _query(
        scope, taken_from=period.start and period.start.isoformat(), taken_to=period.end and period.end.isoformat())


def load_training_demo(today) -> str:
    from .demo_training import seed_training

    return seed_training(today=today)


def register_training() -> None:
    from django.utils.translation import gettext_lazy

    from salesops.metrics import PERCENT, UP, Metric, register

    register(Metric(
        code="certified_share", name=gettext_lazy("Certified share"), unit=PERCENT, better=UP,
        compute=certified_share, records=certified_share_records, app="teams",
        drilldown_url=certified_share_drilldown,
        description=gettext_lazy("Required certifications held and valid at the period's end, of all "
                                 "certifications the people's roles require.")))
    register(Metric(
        code="training_participation", name=gettext_lazy("Training participation"), unit=PERCENT, better=UP,
        compute=training_participation, records=training_participation_records, app="teams",
        drilldown_url=training_participation_drilldown,
        description=gettext_lazy("Courses assigned to the people's roles whose exam they attempted in the "
                                 "period, of all assigned courses.")))
    demo.register(TRAINING_DEMO_ORDER, "teams-training", load_training_demo)


# --- knowledge base (h12) ---
KB_DEMO_ORDER = 11  # right after the organisation: the articles' author is a demo person


def load_kb_demo(today) -> str:
    from .knowledge.demo import seed_articles
    from .models import User

    author = User.objects.filter(username="marketing").first()
    return _("%(count)d new articles") % {"count": seed_articles(author=author)}


def register_knowledge() -> None:
    demo.register(KB_DEMO_ORDER, "teams_kb", load_kb_demo)


# --- compensation (h9): the demo payouts ---------------------------------------------------------
COMPENSATION_DEMO_ORDER = 85  # after the apps whose metrics the bonus reads (pipeline, leads, customers, health)


def load_compensation_demo(today) -> str:
    from .demo import seed_compensation

    done = seed_compensation(today=today)
    return _("%(count)d payouts") % {"count": done["payouts"]}


def register_compensation() -> None:
    demo.register(COMPENSATION_DEMO_ORDER, "teams-compensation", load_compensation_demo)


# --- the header search (salesops.search): knowledge articles, ranked --------------------------------
def search_articles(user, q, limit):
    from django.urls import reverse
    from django.utils.translation import gettext as _

    from salesops.search import Hit

    from .knowledge.selectors import article_search

    return [Hit(kind="article", kind_label=_("Knowledge base"), title=article.title,
                subtitle=article.get_kind_display(), url=reverse("teams:kb-detail", args=[article.pk]))
            for article in article_search(user=user, q=q)[:limit]]


def register_search() -> None:
    from urllib.parse import urlencode

    from django.urls import reverse
    from django.utils.translation import gettext_lazy

    from salesops import search

    search.register("article", search_articles, label=lambda: gettext_lazy("Knowledge base"), order=60,
                    more_url=lambda q: f"{reverse('teams:kb-list')}?{urlencode({'q': q})}")
