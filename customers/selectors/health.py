"""Reads of account health: the explained current score, its history, the health models and the
health metrics' records (scoped through the accounts the user may see)."""
from django.db.models import QuerySet

from ..models import Account
from .accounts import account_queryset_for


# --- health (customers.health; written by customers.services.health) -----------------------------
HEALTH_HISTORY_DAYS = 180


def account_health_explained(*, account, today=None) -> dict | None:
    """An account's current health with its explanation, trend and recent history (2 queries), or None
    before its first computation. The caller has already checked that the user may see `account`."""
    from datetime import timedelta

    from django.utils import timezone

    from .. import health as rules
    from ..models import AccountHealth, HealthComponent, HealthScoreHistory

    current = AccountHealth.objects.select_related("model").filter(account_id=account.pk).first()
    if current is None:
        return None
    today = today or timezone.now().date()
    history = list(HealthScoreHistory.objects.filter(account_id=account.pk,
                                                     day__gte=today - timedelta(days=HEALTH_HISTORY_DAYS))
                   .order_by("day").values("day", "score", "band", "model_id"))
    then = [h for h in history if h["day"] <= today - timedelta(days=rules.TREND_DAYS)]
    then = then[-1] if then else {"score": None, "model_id": None}
    labels = dict(HealthComponent.Code.choices)
    parts = []
    for code, value, sub, weight, normalised, contribution in current.components:
        parts.append({"code": code, "label": labels.get(code, code), "value": value, "sub_score": sub,
                      "weight": weight, "normalised_weight": normalised, "contribution": contribution,
                      "left_out": value is None})
    return {
        "score": current.score, "band": current.band, "band_label": current.get_band_display() if current.band else "",
        "model": current.model, "computed_at": current.computed_at, "parts": parts,
        "left_out": [p for p in parts if p["left_out"]],
        "contribution_total": round(sum(p["contribution"] for p in parts), 1),
        "trend": rules.trend(score=current.score, model_id=current.model_id, then_score=then["score"],
                             then_model_id=then["model_id"]),
        "trend_from": then["score"],
        "history": history,
    }


def health_model_queryset():
    """Health models are configuration: everyone signed in reads them."""
    from ..models import HealthModel

    return HealthModel.objects.prefetch_related("components", "bands").order_by("-priority", "id")


# --- health metrics (salesops.metrics `health_score`, `accounts_critical`; registered in registry.py) ------
# Both read the current health of the accounts scope.user may see (account_queryset_for), narrowed to
# scope.team_id (the sales owner's team) / scope.owner_id (the sales owner); the period is ignored.
HEALTH_GROUPS = {"band": "health__band", "owner": "owner_id", "team": "owner__team_id"}


def health_scored_accounts(scope, period=None, group_by=None, key=None) -> QuerySet[Account]:
    from salesops.metric_tools import keyed, narrow

    accounts = narrow(account_queryset_for(user=scope.user), scope, team_field="owner__team_id")
    return keyed(accounts.filter(health__score__isnull=False), HEALTH_GROUPS, group_by, key)


def health_critical_accounts(scope, period=None, group_by=None, key=None) -> QuerySet[Account]:
    return health_scored_accounts(scope, period, group_by, key).filter(health__band="critical")


def health_score_average(scope, period):
    from django.db.models import Avg, Count

    from salesops.metrics import MetricResult

    row = health_scored_accounts(scope).aggregate(avg=Avg("health__score"), n=Count("pk"))
    return MetricResult(value=None if row["avg"] is None else round(float(row["avg"]), 1), count=row["n"])


def health_critical_count(scope, period):
    from salesops.metrics import MetricResult

    n = health_critical_accounts(scope).count()
    return MetricResult(value=n, count=n)


def _health_rows(queryset, group_by, value):
    from django.db.models import Avg, Count, F

    from salesops.metric_tools import rows_by
    from teams.selectors import person_or_team_labels

    from ..models import HealthBand

    rows = list(queryset.order_by().values(key=F(HEALTH_GROUPS[group_by]))
                .annotate(n=Count("pk"), avg=Avg("health__score")).order_by("key"))
    labels = dict(HealthBand.Code.choices) if group_by == "band" else person_or_team_labels(
        group_by, [r["key"] for r in rows])
    return rows_by(rows, "key", labels, value)


def health_score_rows(scope, period, group_by):
    return _health_rows(health_scored_accounts(scope), group_by,
                        lambda r: None if r["avg"] is None else round(float(r["avg"]), 1))


def health_critical_rows(scope, period, group_by):
    return _health_rows(health_critical_accounts(scope), group_by, lambda r: r["n"])


def health_accounts_url(band: str):
    """The account list narrowed like the metric's records: `band` ("scored" for every account with a
    score, or a band code), the scope's sales owner and team, and a breakdown row's band, owner or team."""
    def url(scope, period=None, group_by=None, key=None) -> str:
        from salesops.metric_tools import link

        params = {"health": band, "owner": scope.owner_id, "team": scope.team_id}
        if group_by == "band" and key:
            params["health"] = key if band == "scored" else band
        elif group_by in ("owner", "team") and key:
            params[group_by] = key
        return link("customers:account-list", params)
    return url
