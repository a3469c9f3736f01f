"""Demo organisation for `manage.py seed_demo`: teams, managers, reps, territories, quotas.

Idempotent: users, teams and territories are matched by their unique names, quotas by
(user, period start). Later apps add their own demo data through the demo registry (salesops/demo.py).
"""
from datetime import date
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.db import transaction

from .models import Quota, Team, Territory, User

DEMO_PASSWORD = "salesops-demo"

TERRITORIES = {
    "North": ["north", "northeast"],
    "East": ["east"],
    "South & Central": ["south", "central", "southwest", "northwest"],
    "International": ["overseas"],
}

# team name -> (manager (username, first, last), territory of the team, reps [(username, first, last, territory)])
TEAMS = {
    "East Enterprise": (("mgr.east", "Mei", "Zhang"), "East", [
        ("rep.li", "Li", "Wei", "East"), ("rep.chen", "Chen", "Jing", "East"), ("rep.wang", "Wang", "Fang", "East"),
    ]),
    "North Commercial": (("mgr.north", "Jun", "Liu"), "North", [
        ("rep.zhao", "Zhao", "Lei", "North"), ("rep.sun", "Sun", "Yan", "North"),
    ]),
    "South & International": (("mgr.south", "Grace", "Huang"), "South & Central", [
        ("rep.lin", "Lin", "Hui", "South & Central"), ("rep.ortiz", "Ana", "Ortiz", "International"),
    ]),
}

OTHERS = [
    ("admin", "Ada", "Admin", User.Role.ADMIN),
    ("marketing", "Min", "Xu", User.Role.MARKETING),
    ("success", "Hao", "Guo", User.Role.SUCCESS),
    ("support", "Yu", "Tang", User.Role.SUPPORT),  # reads every customer-360 page, changes nothing
    ("product", "Nan", "Qian", User.Role.PRODUCT),
]


def _user(username, first, last, role, *, team=None, territory=None) -> User:
    user, created = User.objects.get_or_create(username=username, defaults={
        "first_name": first, "last_name": last, "email": f"{username}@example.com", "role": role,
    })
    user.role, user.team, user.territory = role, team, territory
    user.is_staff = role in (User.Role.ADMIN, User.Role.MARKETING)
    user.is_superuser = role == User.Role.ADMIN
    if created or not user.has_usable_password():
        user.set_password(DEMO_PASSWORD)
    user.save()
    return user


def quarter_months(today: date) -> list[tuple[date, date]]:
    quarter_start = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    starts = [quarter_start + relativedelta(months=offset) for offset in range(3)]
    return [(start, start + relativedelta(months=1, days=-1)) for start in starts]


@transaction.atomic
def seed_organisation(*, today: date) -> dict[str, User]:
    territories = {}
    for name, regions in TERRITORIES.items():
        territory, _ = Territory.objects.update_or_create(name=name, defaults={"regions": regions})
        territories[name] = territory
    users: dict[str, User] = {}
    for team_name, ((m_user, m_first, m_last), m_territory, reps) in TEAMS.items():
        team, _ = Team.objects.get_or_create(name=team_name)
        manager = _user(m_user, m_first, m_last, User.Role.MANAGER, team=team, territory=territories[m_territory])
        team.manager = manager
        team.save(update_fields=["manager"])
        users[m_user] = manager
        for index, (username, first, last, territory) in enumerate(reps):
            rep = _user(username, first, last, User.Role.REP, team=team, territory=territories[territory])
            users[username] = rep
            for start, end in quarter_months(today):
                Quota.objects.update_or_create(user=rep, period_start=start, defaults={
                    "period_end": end, "amount": Decimal(300_000 + 50_000 * index),
                })
    for username, first, last, role in OTHERS:
        users[username] = _user(username, first, last, role)
    return users


def demo_users() -> dict[str, User]:
    """The demo people by username (those seed_organisation made), for the other apps' demo loaders."""
    names = []  # in seed_organisation's order, so loaders that cycle through reps stay deterministic
    for (manager, _territory, reps) in TEAMS.values():
        names += [manager[0]] + [rep[0] for rep in reps]
    names += [other[0] for other in OTHERS]
    found = {user.username: user for user in User.objects.filter(username__in=names)}
    return {name: found[name] for name in names if name in found}


# --- onboarding (h10): a recent hire with a mentor and a plan partly done --------------------------
DEMO_HIRE = ("rep.new", "Xu", "Ming")
DEMO_HIRE_TEAM, DEMO_MENTOR = "East Enterprise", "rep.li"
DEMO_HIRE_DAYS_AGO = 40


@transaction.atomic
def seed_onboarding(*, today: date) -> int:
    """The default template, and a hire of 40 days ago in East Enterprise mentored by Li Wei: month 1
    done and signed off, the rest open. Idempotent: the hire and their plan are made once."""
    from datetime import timedelta

    from django.utils import timezone

    from .models import OnboardingPlan, OnboardingTask
    from .services.onboarding import onboarding_default_template_ensure, onboarding_plan_create, onboarding_plan_refresh

    template = onboarding_default_template_ensure()
    team = Team.objects.filter(name=DEMO_HIRE_TEAM).select_related("manager").first()
    mentor = User.objects.filter(username=DEMO_MENTOR).first()
    if team is None or team.manager is None or mentor is None:
        return 0
    username, first, last = DEMO_HIRE
    hire = _user(username, first, last, User.Role.REP, team=team, territory=mentor.territory)
    if hire.hired_on is None:
        hire.hired_on = today - timedelta(days=DEMO_HIRE_DAYS_AGO)
        hire.save(update_fields=["hired_on"])
    for start, end in quarter_months(today):
        Quota.objects.get_or_create(user=hire, period_start=start, defaults={"period_end": end,
                                                                            "amount": Decimal(100_000)})
    plan = OnboardingPlan.objects.filter(hire=hire).first()
    if plan is not None:
        return 0
    plan = onboarding_plan_create(by=team.manager, hire=hire, template=template, mentor=mentor,
                                  start_date=hire.hired_on)
    now = timezone.now()
    month_one = OnboardingTask.objects.filter(plan=plan, due_on__lt=plan.start_date + timedelta(days=30),
                                              milestone_metric="")
    month_one.update(done_at=now, done_by=hire)
    month_one.exclude(performer="manager").update(signed_off_at=now, signed_off_by=mentor)
    onboarding_plan_refresh(plan=plan, today=today)
    return 1


# --- compensation (h9) ---------------------------------------------------------------------------
DEMO_PLAN_NAME = "Quarterly sales bonus"
DEMO_PLAN_COMPONENTS = [  # the seed: 60 % quota attainment, 20 % customer satisfaction, 20 % process KPIs
    {"key": "quota", "label": "Quota attainment", "metric_codes": ["quota_attainment"], "weight": Decimal("60")},
    {"key": "csat", "label": "Customer satisfaction", "metric_codes": ["csat"], "weight": Decimal("20")},
    {"key": "process", "label": "Process KPIs", "weight": Decimal("20"),
     "metric_codes": ["activity_logged_within_24h", "data_completeness", "training_participation"]},
]


def seed_compensation(*, today: date) -> dict:
    """The default plan (published, effective a year back) assigned to every demo rep; last
    quarter's quotas and payouts computed; the first rep of each team has theirs approved by the
    manager. Idempotent: the plan by name, assignments by person, payouts by person and period."""
    from . import payouts as pure
    from .models import CompensationPlan, PlanAssignment
    from .services import compensation as comp

    admin = User.objects.filter(username="admin").first()
    if admin is None:
        return {"payouts": 0}
    start, end = pure.previous_period(today, pure.QUARTERLY)
    effective_from = date(start.year - 1, start.month, 1)
    plan = CompensationPlan.objects.filter(name=DEMO_PLAN_NAME).order_by("version").first()
    if plan is None:
        plan = comp.plan_create(by=admin, name=DEMO_PLAN_NAME, effective_from=effective_from,
                                target_bonus=Decimal("10000"), components=DEMO_PLAN_COMPONENTS)
        plan = comp.plan_publish(by=admin, plan=plan)
    reps = [user for user in demo_users().values() if user.role == User.Role.REP]
    for rep in reps:
        if not PlanAssignment.objects.filter(user=rep).exists():
            comp.plan_assign(by=admin, plan=plan, user=rep, starts_on=effective_from)
        for month_start in (start, start + relativedelta(months=1), start + relativedelta(months=2)):
            Quota.objects.get_or_create(user=rep, period_start=month_start, defaults={
                "period_end": month_start + relativedelta(months=1, days=-1), "amount": Decimal(300_000)})
    done = comp.payouts_compute_period(kind=pure.QUARTERLY, start=start, end=end)
    approved = 0
    for team in Team.objects.filter(name__in=TEAMS).select_related("manager"):
        first = team.members.filter(role=User.Role.REP).order_by("username").first()
        payout = first.payouts.filter(period_start=start, status="computed").first() if first else None
        if payout is not None and team.manager is not None:
            comp.payout_approve(by=team.manager, payout=payout)
            approved += 1
    return {"payouts": done["computed"], "approved": approved}
