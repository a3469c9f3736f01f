"""Reads for the learnt win probability (issue 16 item 4): deals as pipeline.winprob.DealFacts.

Set-based: one query for the deals (with their closing ledger entry as a subquery), one for their
products, one for their activity counts per kind; never a query per deal. The closed deals read for
training are bounded (the most recent `max_rows` closes, settings.PIPELINE_WINPROB_MAX_ROWS).

A closed deal is described as it stood just before it closed: the stage it was in and the days it
spent there come from the ledger entry that closed it (`stay_stage`, `stay_days`); its age is its
cycle (created -> closed); only the activities that happened up to the close count, and tasks never
(the onboarding tasks opened after a win would tell the outcome). An amount of zero counts as no
amount (a lost deal's amount is often zeroed, and a deal created without one has 0): the estimate
(e.g. the list price) then stands in for the value and the "amount unknown" flag is set.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.conf import settings
from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from .. import winprob
from ..models import Opportunity, OpportunityActivity, OpportunityLine, OpportunityWinFactors, Stage, StageTransition
from ..models import WinProbabilityModel

FIELDS = ("pk", "team_id", "stage_id", "stage__is_won", "stage__is_lost", "stage_entered_at", "created_at",
          "closed_at", "amount", "amount_known", "amount_estimate", "discount_percent", "lead__source",
          "date_unknown", "furthest_stage__order")


def stages_for_table() -> tuple[list[tuple[int, int]], dict[int, int]]:
    """(open stages as (id, order), every stage's default probability)."""
    rows = list(Stage.objects.order_by("order").values_list("pk", "order", "probability", "is_won", "is_lost"))
    return [(pk, order) for pk, order, _p, won, lost in rows if not (won or lost)], {r[0]: r[2] for r in rows}


def _closing_entry(field: str):
    return Subquery(StageTransition.objects.filter(opportunity=OuterRef("pk"), to_stage=OuterRef("stage_id"))
                    .order_by("-at", "-id").values(field)[:1])


def closed_deals_queryset(*, window_start=None, cutoff=None) -> QuerySet[Opportunity]:
    cutoff = cutoff or timezone.now()
    qs = Opportunity.objects.filter(closed_at__isnull=False, closed_at__lt=cutoff, date_unknown=False).filter(
        Q(stage__is_won=True) | Q(stage__is_lost=True))
    if window_start:
        qs = qs.filter(closed_at__date__gte=window_start)
    return qs


def _products(ids_query) -> dict[int, list[int]]:
    products = defaultdict(list)
    for opp_id, product_id in (OpportunityLine.objects.filter(opportunity_id__in=ids_query).order_by()
                               .values_list("opportunity_id", "product_id").distinct()):
        products[opp_id].append(product_id)
    return products


def _activities(ids_query) -> dict[int, dict[str, int]]:
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    rows = (OpportunityActivity.objects.filter(opportunity_id__in=ids_query, activity__kind__in=winprob.ACTIVITY_KINDS)
            .filter(Q(opportunity__closed_at__isnull=True) | Q(activity__occurred_at__lte=F("opportunity__closed_at")))
            .order_by().values("opportunity_id", "activity__kind").annotate(n=Count("pk")))
    for row in rows:
        counts[row["opportunity_id"]][row["activity__kind"]] = row["n"]
    return counts


def _days(later, earlier) -> float | None:
    if later is None or earlier is None:
        return None
    return max((later - earlier).total_seconds() / 86400.0, 0.0)


def _facts(rows: Iterable[dict], products, activities, defaults: dict[int, int], now) -> list[winprob.DealFacts]:
    facts = []
    for r in rows:
        closed = r["stage__is_won"] or r["stage__is_lost"]
        amount = float(r["amount"]) if r["amount_known"] and r["amount"] and r["amount"] > 0 else None
        estimate = float(r["amount_estimate"]) if r["amount_estimate"] else None
        if closed:
            stage_id, days_in_stage = r.get("close_stay_stage"), r.get("close_stay_days")
            age = _days(r["closed_at"], r["created_at"])
        else:
            stage_id, days_in_stage = r["stage_id"], _days(now, r["stage_entered_at"])
            age = _days(now, r["created_at"])
        if r["date_unknown"]:  # the source gave no date: its created_at is the import's, not the deal's
            age = days_in_stage = None
        facts.append(winprob.DealFacts(
            id=r["pk"], stage_id=stage_id, team_id=r["team_id"], days_in_stage=days_in_stage, age_days=age,
            amount=amount, amount_estimate=estimate, discount=float(r["discount_percent"] or 0),
            products=tuple(sorted(products.get(r["pk"], ()))), source=r["lead__source"] or "",
            activities=activities.get(r["pk"], {}),
            won=(bool(r["stage__is_won"]) if closed else None),
            closed_on=(timezone.localtime(r["closed_at"]).date() if closed and r["closed_at"] else None),
            furthest_order=r["furthest_stage__order"], stage_default=defaults.get(stage_id)))
    return facts


def closed_deal_facts(*, window_start=None, cutoff=None, max_rows: int | None = None) -> list[winprob.DealFacts]:
    """The closed deals to learn from (closed before `cutoff`, from `window_start`), the most recent
    `max_rows` of them, ordered by id."""
    max_rows = max_rows or settings.PIPELINE_WINPROB_MAX_ROWS
    _stages, defaults = stages_for_table()
    base = closed_deals_queryset(window_start=window_start, cutoff=cutoff)
    ids = base.order_by("-closed_at", "-id").values("pk")[:max_rows]
    rows = (Opportunity.objects.filter(pk__in=ids).order_by("pk")
            .annotate(close_stay_stage=_closing_entry("stay_stage"), close_stay_days=_closing_entry("stay_days"))
            .values(*FIELDS, "close_stay_stage", "close_stay_days"))
    return _facts(rows, _products(ids), _activities(ids), defaults, timezone.now())


def open_deal_facts(*, after_id: int = 0, limit: int = 2000, ids: list[int] | None = None,
                    now=None) -> list[winprob.DealFacts]:
    """Open deals as they stand now: a keyset page of ids above `after_id` (or the given `ids`)."""
    now = now or timezone.now()
    _stages, defaults = stages_for_table()
    qs = Opportunity.objects.filter(closed_at__isnull=True, stage__is_won=False, stage__is_lost=False)
    qs = qs.filter(pk__in=ids) if ids is not None else qs.filter(pk__gt=after_id)
    page = list(qs.order_by("pk").values(*FIELDS)[:limit])
    page_ids = [r["pk"] for r in page]
    return _facts(page, _products(page_ids), _activities(page_ids), defaults, now)


def active_win_model() -> WinProbabilityModel | None:
    return WinProbabilityModel.objects.filter(is_active=True, status=WinProbabilityModel.Status.DONE).first()


def win_model_list() -> QuerySet[WinProbabilityModel]:
    return WinProbabilityModel.objects.select_related("trained_by").defer("model")


def win_factors_for(*, opportunity: Opportunity) -> OpportunityWinFactors | None:
    return OpportunityWinFactors.objects.filter(opportunity=opportunity).select_related("model").defer(
        "model__model", "model__coefficients").first()


# --- words -----------------------------------------------------------------------------------------
def _numeric_words():
    from django.utils.translation import gettext as _
    return {
        ("days_in_stage", "above"): _("More days in this stage than usual"),
        ("days_in_stage", "below"): _("Fewer days in this stage than usual"),
        ("age", "above"): _("Older deal than usual"),
        ("age", "below"): _("Younger deal than usual"),
        ("amount", "above"): _("Amount above average"),
        ("amount", "below"): _("Amount below average"),
        ("amount_unknown", "above"): _("No amount given"),
        ("amount_unknown", "below"): _("Amount given"),
        ("discount", "above"): _("Discount above average"),
        ("discount", "below"): _("Discount below average"),
        ("activities_call", "above"): _("More calls than usual"),
        ("activities_call", "below"): _("Fewer calls than usual"),
        ("activities_meeting", "above"): _("More meetings than usual"),
        ("activities_meeting", "below"): _("Fewer meetings than usual"),
        ("activities_email", "above"): _("More emails than usual"),
        ("activities_email", "below"): _("Fewer emails than usual"),
        ("activities_note", "above"): _("More notes than usual"),
        ("activities_note", "below"): _("Fewer notes than usual"),
    }


def _category_words():
    from django.utils.translation import gettext as _
    return {"stage": _("Stage: %(names)s"), "team": _("Team: %(names)s"), "product": _("Product: %(names)s"),
            "source": _("Lead source: %(names)s")}


def _level_names(factor_lists: Iterable[list[dict]]) -> dict[tuple[str, str], str]:
    """Names of every category level the factors mention: one query per kind of level."""
    from django.utils.translation import gettext as _

    from leads.models import Lead
    from teams.models import Team

    from ..models import Product

    wanted: dict[str, set[str]] = defaultdict(set)
    for factors in factor_lists:
        for f in factors:
            for level in f.get("levels") or ():
                wanted[f["feature"]].add(level)
    names = {}
    ids = lambda feature: [int(v) for v in wanted.get(feature, ()) if v.isdigit()]  # noqa: E731
    for stage in Stage.objects.filter(pk__in=ids("stage")):
        names[("stage", str(stage.pk))] = stage.label
    for pk, name in Team.objects.filter(pk__in=ids("team")).values_list("pk", "name"):
        names[("team", str(pk))] = name
    for pk, name in Product.objects.filter(pk__in=ids("product")).values_list("pk", "name"):
        names[("product", str(pk))] = name
    sources = dict(Lead._meta.get_field("source").choices or ())
    for code in wanted.get("source", ()):
        names[("source", code)] = str(sources.get(code, code))
    for feature in wanted:
        names[(feature, "none")] = _("none")
    return names


def factors_in_words(factor_lists: list[list[dict]]) -> list[list[dict]]:
    """Each stored factor with `text` ("Amount above average") and `label` ("Amount above average
    +6 pts") in the current language; a level no longer known shows its id."""
    from django.utils.translation import gettext as _
    names, numeric, category = _level_names(factor_lists), _numeric_words(), _category_words()
    result = []
    for factors in factor_lists:
        rows = []
        for f in factors:
            if f["feature"] in category:
                text = category[f["feature"]] % {"names": ", ".join(
                    f"“{names.get((f['feature'], level), level)}”" for level in f.get("levels") or ())}
            else:
                text = numeric.get((f["feature"], f["direction"]), f["feature"])
            points = f["points"]
            rows.append({**f, "text": text, "label": _("%(factor)s %(points)s pts") % {
                "factor": text, "points": f"{points:+.0f}" if abs(points) >= 1 else f"{points:+.1f}"}})
        result.append(rows)
    return result


def excluded_in_words(features: list[dict]) -> list[dict]:
    from django.utils.translation import gettext as _
    reasons = {"separates_outcomes": _("separates won from lost almost perfectly on its own: probably written "
                                       "after the outcome"),
               "follows_amount_unknown": _("left out with “amount unknown”: the amount comes from the deal for "
                                           "one outcome and from the estimate for the other")}
    names = {"days_in_stage": _("Days in the stage"), "age": _("Age of the deal"), "amount": _("Amount"),
             "amount_unknown": _("Amount unknown"), "discount": _("Discount"), "activities_call": _("Calls"),
             "activities_meeting": _("Meetings"), "activities_email": _("Emails"), "activities_note": _("Notes"),
             "stage": _("Stage"), "team": _("Team"), "product": _("Product"), "source": _("Lead source")}
    return [{**f, "name": names.get(f.get("column"), f.get("column")),
             "reason_text": reasons.get(f.get("reason"), f.get("reason", ""))} for f in features if f.get("excluded")]


def win_probability_for(*, opportunity: Opportunity) -> dict:
    """The three probabilities of a deal with their provenance, and the factors behind the model's."""
    from .. import forecasting
    factors = win_factors_for(opportunity=opportunity)
    stage = opportunity.stage
    chosen, source = forecasting.chosen_probability(stage=opportunity.stage_probability,
                                                    model=opportunity.model_probability,
                                                    rep=opportunity.rep_probability)
    if factors is not None:
        model = factors.model
        model_part = {"probability": opportunity.model_probability, "source": "trained_model",
                      "model": {"id": model.pk, "trained_at": model.trained_at, "brier": model.brier,
                                "stage_table_brier": model.stage_table_brier, "is_active": model.is_active},
                      "scored_at": factors.scored_at, "factors": factors_in_words([factors.factors])[0]}
    else:
        model_part = {"probability": opportunity.model_probability,
                      "source": "stage_table" if opportunity.model_probability is not None else "none",
                      "model": None, "scored_at": None, "factors": []}
    return {"opportunity": opportunity.pk,
            "stage": {"probability": opportunity.stage_probability, "stage": stage.code, "name": stage.label},
            "model": model_part, "rep": {"probability": opportunity.rep_probability},
            "chosen": {"probability": chosen, "source": source}}


def win_model_quality() -> dict | None:
    """For the forecast accuracy page: the active model (else the latest finished training) with its
    held-out figures as rows in percent, and the Plotly charts (calibration by decile; Brier per quarter)."""
    import json

    from django.utils.translation import gettext as _

    from salesops.charts import calibration_figure, line_figure

    model = active_win_model() or WinProbabilityModel.objects.filter(
        status=WinProbabilityModel.Status.DONE).order_by("-trained_at", "-id").first()
    if model is None or not model.figures:
        return None
    figures = model.figures
    deciles = figures["holdout"]["deciles"]
    rows = [{"part": m["part"], "deals": m["deals"], "model_predicted": 100 * m["predicted"],
             "model_actual": 100 * m["actual"], "table_predicted": 100 * t["predicted"], "table_actual": 100 * t["actual"]}
            for m, t in zip(deciles["model"], deciles["stage_table"])]
    calibration = calibration_figure(
        [(_("Learnt model"), [r["model_predicted"] for r in rows], [r["model_actual"] for r in rows]),
         (_("Stage table"), [r["table_predicted"] for r in rows], [r["table_actual"] for r in rows])],
        title=_("Calibration by decile (held-out deals)"), x_title=_("Predicted win probability"),
        y_title=_("Actual win rate"), diagonal=_("Perfect calibration"))
    quarters = figures["per_quarter"]
    brier_chart = line_figure([q["quarter"] for q in quarters],
                              [(_("Learnt model"), [q["model"] for q in quarters]),
                               (_("Stage table"), [q["stage_table"] for q in quarters])],
                              title=_("Brier score per quarter of close (lower is better)"), x_title=_("Quarter"),
                              y_title=_("Brier score"))
    return {"model": model, "brier": figures["holdout"]["brier"], "holdout": figures["holdout"], "deciles": rows,
            "quarters": quarters, "excluded": excluded_in_words(model.features or []),
            "charts": {"calibration": json.loads(calibration.to_json()), "brier": json.loads(brier_chart.to_json())}}
