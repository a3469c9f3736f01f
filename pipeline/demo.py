"""Demo pipeline for `manage.py seed_demo`: deals across every stage with a dated, believable history.

Idempotent: accounts and deals are matched by `external_ref` ("demo:…"); deals that exist are left
alone. Deals are created through pipeline.services (first stage, "created" ledger entry) and then
walked forward stage by stage on their own dates (ledger kind "move", by the owner), filling what
each gate asks for on the way (confirmed needs, ticked checklist items, a demo meeting, a loss reason).
Forecast: the model is learnt from the closed deals, this week's snapshot is stored, and snapshots of
the previous periods (their first week) are added so the accuracy report has something to show.
"""
import random
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from customers.models import Account, Activity, Contact
from customers.services import account_update, contact_create

from . import forecasting
from .models import (
    ChecklistItem, ChecklistTick, Competitor, ForecastSnapshot, LossReason, Opportunity, Product,
    Stage,
)
from .services import (
    _move, forecast_model_recompute, forecast_snapshot_take, handoff_confirm_feasibility, handoff_onboarding_open,
    handoff_update, opportunity_create, opportunity_activity_log, opportunity_line_add, snapshot_cells,
)

COMPANIES = [
    ("Hangzhou Cloudworks", "technology"), ("Shanghai Finlink", "finance"), ("Suzhou Precision", "manufacturing"),
    ("Nanjing Retail Group", "retail"), ("Beijing MedTech", "healthcare"), ("Tianjin Port Logistics", "other"),
    ("Shenzhen Smart Devices", "technology"), ("Guangzhou Textiles", "manufacturing"), ("Chengdu EduTech", "education"),
    ("Wuhan Power Grid Services", "energy"), ("Xi'an Telecom Partners", "telecom"), ("Qingdao Ocean Foods", "retail"),
]
PRODUCTS = [("SalesOps Cloud", "SOC", Decimal("120000"), Decimal("72"), True),
            ("Analytics Add-on", "ANA", Decimal("45000"), Decimal("80"), True),
            ("Onboarding Services", "SRV", Decimal("30000"), Decimal("25"), False)]
COMPETITORS = [("CloudCRM Inc.", "Faster rollout, local support and data residency in China.",
                "“They are cheaper”: compare the 3-year total cost including integration work.")]
# final stage code -> how many demo deals end there
PLAN = [("lead_identified", 5), ("needs_confirmed", 6), ("solution_demo", 6), ("negotiation", 5),
        ("closed_won", 10), ("closed_lost", 8)]
LOSS = ["price", "competitor", "no_budget", "timing"]


def _day_at(day, hour: int = 10):
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def _catalogue():
    products = []
    for name, code, price, margin, high in PRODUCTS:
        product, _ = Product.objects.get_or_create(name=name, defaults={
            "code": code, "list_price": price, "margin_percent": margin, "is_high_margin": high})
        products.append(product)
    for name, proposition, answers in COMPETITORS:
        Competitor.objects.get_or_create(name=name, defaults={"value_proposition": proposition,
                                                              "objection_answers": answers})
    return products


STAKEHOLDERS = [("champion", "Zhang Wei", "Head of Sales Operations"),
                ("executive_sponsor", "Liu Yang", "Chief Financial Officer"),
                ("admin", "Chen Jing", "CRM Administrator")]


def _complete_handoff(opp: Opportunity, *, people: dict) -> None:
    """The handoff a demo deal needs to close won: stakeholders, targets, a promise, feasibility, success owner."""
    account = opp.account
    if people.get("success") and account.success_owner_id is None:
        account_update(account=account, by=people["admin"], success_owner=people["success"])
    contacts = {}
    for role, name, title in STAKEHOLDERS:
        contact = Contact.objects.filter(account=account, name=name).first() or contact_create(
            by=people["admin"], account=account, name=name, title=title,
            email=f"{name.lower().replace(' ', '.')}@example.com")
        contacts[role] = contact
    handoff_update(opportunity=opp, by=opp.owner, stakeholders=contacts,
                   success_criteria="Forecast accuracy within 10% and every rep logging calls in the CRM.",
                   target_30="Pilot team of 8 reps live; data migrated.",
                   target_60="All 40 reps live; weekly pipeline review run from SalesOps.",
                   target_90="First quarter forecast within 10%; 90% of calls logged within 24 h.",
                   promises=["Single sign-on before go-live", "Two on-site training days"])
    handoff_confirm_feasibility(opportunity=opp, by=people["product"], note="Standard configuration; SSO supported.")


def _walk(opp: Opportunity, *, target: Stage, stages: list[Stage], start, rng: random.Random, lost_reasons,
          people: dict | None = None):
    """Move a new deal forward to `target` on dated steps, meeting each gate's needs on the way."""
    forward = [s for s in stages if not s.is_lost and not s.is_won]
    path = [s for s in forward if opp.stage.order < s.order <= (target.order if not target.is_closed else 10**6)]
    if target.is_lost:
        path = path[:rng.randint(0, max(0, len(path) - 1))] + [target]
    elif target.is_won:
        path = path + [target]
    at = start
    for stage in path:
        at = at + timedelta(days=rng.randint(4, 16), hours=rng.randint(0, 6))
        now = timezone.now()
        if at > now - timedelta(hours=1):
            at = now - timedelta(hours=1)
        if stage.code == "needs_confirmed":
            Opportunity.objects.filter(pk=opp.pk).update(confirmed_needs="Pipeline visibility for 40 reps; "
                                                         "forecast accuracy within 10%.",
                                                         decision_makers="CFO, Head of Sales")
        for item in ChecklistItem.objects.filter(stage__order__lt=stage.order, is_active=True):
            ChecklistTick.objects.get_or_create(opportunity=opp, item=item, defaults={"ticked_by": opp.owner,
                                                                                     "ticked_at": at})
        if stage.code == "negotiation" and not Activity.objects.filter(opportunity_link__opportunity=opp).exists():
            opportunity_activity_log(opportunity=opp, by=opp.owner, kind=Activity.Kind.MEETING,
                                        occurred_at=at - timedelta(days=2), summary="Solution demo on site")
        extra = {}
        if stage.is_lost:
            reason = lost_reasons[rng.randrange(len(lost_reasons))]
            extra["loss_reason"] = reason
            if reason.requires_competitor:
                opp.competitors.add(*Competitor.objects.filter(is_active=True)[:1])
        if stage.is_won and people:
            _complete_handoff(opp, people=people)
        opp.refresh_from_db()
        opp = _move(opp=opp, to_stage=stage, by=opp.owner, reason="", kind="move", at=at, extra=extra)
        if stage.is_won:  # now, not only on commit: the tasks are there when the demo's caller looks
            handoff_onboarding_open(opportunity_id=opp.pk, won_at=at)
    return opp


def _past_snapshots(today) -> int:
    """First-week snapshots of the 2 previous months and the previous quarter (actual won x 0.8-1.2)."""
    from .selectors.metrics import forecast_figures
    rng, stored = random.Random(7), 0
    for kind, count in ((forecasting.MONTH, 2), (forecasting.QUARTER, 1)):
        for start, end in forecasting.previous_periods(kind, today, count):
            figures = forecast_figures(queryset=Opportunity.objects.all(), start=start, end=end)
            taken_on = start + timedelta(days=(7 - start.weekday()) % 7)  # the period's first Monday
            for scope, key, link, code, f in snapshot_cells(figures):
                factor = Decimal(str(round(rng.uniform(0.8, 1.2), 2)))
                won = f.won
                ForecastSnapshot.objects.update_or_create(
                    period_kind=kind, period_start=start, taken_on=taken_on, scope_key=key, currency=code,
                    defaults={"period_end": end, "scope": scope, **link, "deals": f.deals,
                              "won": Decimal("0"), "commit": (won * factor * Decimal("0.8")).quantize(Decimal("1")),
                              "best_case": (won * factor * Decimal("1.1")).quantize(Decimal("1")),
                              "pipeline": (won * factor * Decimal("1.6")).quantize(Decimal("1")),
                              "weighted": (won * factor).quantize(Decimal("1"))})
                stored += 1
    return stored


@transaction.atomic
def seed_pipeline(*, users: dict, today) -> int:
    """Add the demo deals (once) and the forecast data. Returns how many deals were added."""
    reps = [u for name, u in sorted(users.items()) if name.startswith("rep.")]
    if not reps:
        return 0
    admin = users.get("admin") or next((u for u in users.values() if u.is_admin_role), None)
    product = users.get("product") or next((u for u in users.values() if u.role == u.Role.PRODUCT), admin)
    people = {"admin": admin, "product": product, "success": users.get("success")} if admin else None
    products = _catalogue()
    stages = list(Stage.objects.filter(is_active=True).order_by("order"))
    by_code = {s.code: s for s in stages}
    lost_reasons = list(LossReason.objects.filter(is_active=True, code__in=LOSS)) or list(
        LossReason.objects.filter(is_active=True))
    rng = random.Random(20240601)
    accounts = []
    for index, (name, industry) in enumerate(COMPANIES):
        owner = reps[index % len(reps)]
        account, _ = Account.objects.get_or_create(external_ref=f"demo:account:{index}", defaults={
            "name": name, "industry": industry, "employees": rng.choice([200, 800, 1500, 5000]), "owner": owner})
        accounts.append(account)
    quarter_start, quarter_end = forecasting.period_bounds(forecasting.QUARTER, today)
    added, number = 0, 0
    for code, count in PLAN:
        for _i in range(count):
            number += 1
            ref = f"demo:deal:{number}"
            if Opportunity.objects.filter(external_ref=ref).exists():
                continue
            account = accounts[number % len(accounts)]
            owner = account.owner
            product = products[number % len(products)]
            closed = code in ("closed_won", "closed_lost")
            age = rng.randint(60, 150) if closed else rng.randint(5, 80)
            created = _day_at(today - timedelta(days=age), hour=9)
            amount = (product.list_price * Decimal(rng.choice([1, 1, 2, 3]))).quantize(Decimal("1"))
            category = {"negotiation": "commit", "solution_demo": "best_case"}.get(code, "pipeline")
            expected = quarter_start + timedelta(days=rng.randint(0, (quarter_end - quarter_start).days))
            opp = opportunity_create(by=owner, owner=owner, account=account, name=f"{account.name} – {product.name}",
                                     amount=amount, expected_close_date=max(expected, today), created_at=created,
                                     forecast_category=category, external_ref=ref,
                                     rep_probability=rng.choice([None, None, 60, 80]) if code == "negotiation" else None)
            opportunity_line_add(opportunity=opp, by=owner, product=product, quantity=amount / product.list_price,
                                 unit_price=product.list_price, margin_percent=product.margin_percent)
            _walk(opp, target=by_code[code], stages=stages, start=created, rng=rng, lost_reasons=lost_reasons,
                  people=people)
            added += 1
    forecast_model_recompute(min_samples=5)
    forecast_snapshot_take(day=today)
    _past_snapshots(today)
    return added


__all__ = ["seed_pipeline", "seed_deal_activities"]


# --- activities on demo deals (h2): logged through the deal, so they show on its timeline ---------
DEAL_ACTIVITIES = [("call", "Discovery call with the buyer", timedelta(hours=2)),
                   ("meeting", "Solution demo for the project team", timedelta(days=2))]


def seed_deal_activities(*, today) -> int:
    """A call and a meeting (logged late) on the first open demo deals; idempotent by summary."""
    from .services import opportunity_activity_log

    now, added = timezone.now(), 0
    deals = (Opportunity.objects.filter(external_ref__startswith="demo:deal:", stage__is_won=False,
                                        stage__is_lost=False)
             .select_related("owner", "account").order_by("pk")[:3])
    for deal in deals:
        for kind, summary, ago in DEAL_ACTIVITIES:
            if not Activity.objects.filter(opportunity_link__opportunity=deal, summary=summary).exists():
                opportunity_activity_log(opportunity=deal, by=deal.owner, kind=kind, summary=summary,
                                         occurred_at=now - ago)
                added += 1
    return added
