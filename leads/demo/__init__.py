"""Demo leads for `manage.py seed_demo`: idempotent by email, deterministic (seeded random)."""
import random

from django.db import transaction

from teams.models import User

from ..models import Industry, Lead, Region, Source
from ..services import lead_refresh_completeness

FIRST = ["Wei", "Fang", "Jing", "Lei", "Yan", "Hui", "Tao", "Xin", "Ming", "Lan", "Olivia", "Noah", "Emma", "Lucas"]
LAST = ["Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Zhao", "Huang", "Zhou", "Wu", "Smith", "Garcia", "Müller"]
COMPANIES = ["Hengda Tech", "Jinxin Bank", "Huamei Retail", "Changjiang Motors", "Kanghui Health", "Xinghai Telecom",
             "Tianyu Energy", "Mingde Education", "Lumen Analytics", "Bluewave Logistics", "Redstone Manufacturing",
             "Harbor Finance", "Qingshan Foods", "Orion Software", "Pacific Insurance"]
TITLES = ["CIO", "IT Director", "Head of Sales", "Procurement Manager", "CFO", "Operations Manager", "CTO", ""]


@transaction.atomic
def seed_leads(*, users: dict[str, User], count: int = 240) -> int:
    rng = random.Random(20261126)
    reps = [u for u in users.values() if u.role == User.Role.REP]
    new = []
    existing = set(Lead.objects.filter(email__startswith="demo.lead").values_list("email", flat=True))
    for i in range(count):
        email = f"demo.lead{i:04d}@example.com"
        if email in existing:
            continue
        company = rng.choice(COMPANIES)
        new.append(Lead(
            name=f"{rng.choice(FIRST)} {rng.choice(LAST)}", email=email,
            phone=rng.choice(["", f"+86 139 {rng.randint(1000, 9999)} {rng.randint(1000, 9999)}"]),
            company=company,
            industry=rng.choice([c for c, _ in Industry.choices] + [""]),
            company_size=rng.choice([None, 20, 80, 200, 500, 1200, 3000, 8000]),
            region=rng.choice([c for c, _ in Region.choices]),
            job_title=rng.choice(TITLES),
            source=rng.choices([c for c, _ in Source.choices], weights=[30, 12, 8, 10, 14, 6, 8, 5, 4, 3])[0],
            consent=rng.random() < 0.7, do_not_email=rng.random() < 0.05,
            owner=rng.choice(reps) if rng.random() < 0.85 else None,
            status=rng.choices([c for c, _ in Lead.Status.choices], weights=[40, 25, 15, 10, 5, 5])[0],
        ))
    Lead.objects.bulk_create(new, batch_size=500)
    lead_refresh_completeness()
    return len(new)


# Demo routing rules (name -> priority, territory name, industries, min/max company size, team name).
ROUTING_RULES = {
    "East enterprise": (10, "East", [], 1000, None, "East Enterprise"),
    "East commercial": (20, "East", [], None, None, "East Enterprise"),
    "North": (30, "North", [], None, None, "North Commercial"),
    "South & Central": (40, "South & Central", [], None, None, "South & International"),
    "International": (50, "International", [], None, None, "South & International"),
}


@transaction.atomic
def seed_routing_rules() -> int:
    """One rule per demo territory (idempotent by name); returns the number of rules."""
    from teams.models import Team, Territory

    from ..models import RoutingRule
    for name, (priority, territory, industries, low, high, team) in ROUTING_RULES.items():
        RoutingRule.objects.update_or_create(name=name, defaults={
            "priority": priority, "territory": Territory.objects.get(name=territory), "industries": industries,
            "min_company_size": low, "max_company_size": high, "team": Team.objects.get(name=team),
        })
    return len(ROUTING_RULES)
