"""Stand-in metrics for the dashboard tests, registered only for codes nobody registered (the real
pipeline and leads metrics replace them when their apps register them): the dashboards are tested
against whatever the registry answers, never against their own arithmetic.

The stand-ins count over the viewer's visible records (period ignored: all time), narrowed by team
and rep, and drill down to the deal or lead lists with the same filters.
"""
from collections import defaultdict
from contextlib import contextmanager
from decimal import Decimal

from django.db.models import Count, Sum
from django.urls import reverse

from leads.selectors import lead_queryset_for
from pipeline.selectors import opportunity_queryset_for, stage_list
from salesops import metrics
from salesops.metrics import Metric, MetricResult, MetricRow


def _narrow(queryset, scope):
    if scope.team_id:
        queryset = queryset.filter(owner__team_id=scope.team_id)
    if scope.owner_id:
        queryset = queryset.filter(owner_id=scope.owner_id)
    return queryset


def _deals(scope, period):
    return _narrow(opportunity_queryset_for(user=scope.user), scope).order_by("pk")


def _won(scope, period):
    return _deals(scope, period).filter(stage__is_won=True)


def _leads(scope, period):
    return _narrow(lead_queryset_for(user=scope.user), scope).order_by("pk")


def _url(name):
    def url(scope, period):
        params = "&".join(f"{k}={v}" for k, v in (("team", scope.team_id), ("owner", scope.owner_id)) if v)
        return reverse(name) + (f"?{params}" if params else "")
    return url


def _money(rows):
    totals = defaultdict(Decimal)
    for row in rows:
        totals[row["currency"]] += row["amount"] or Decimal("0")
    return dict(totals)


def _deals_in_stage_breakdown(scope, period, group_by):
    counts = dict(_deals(scope, period).order_by().values_list("stage_id").annotate(n=Count("pk")))
    return [MetricRow(str(s.pk), s.label, counts.get(s.pk, 0), counts.get(s.pk, 0)) for s in stage_list()]


def _amount_breakdown(scope, period, group_by):
    rows = _deals(scope, period).order_by().values("stage_id", "currency").annotate(amount=Sum("amount"))
    by_stage = defaultdict(list)
    for row in rows:
        by_stage[row["stage_id"]].append(row)
    return [MetricRow(str(s.pk), s.label, None, None, _money(by_stage[s.pk])) for s in stage_list()]


def _group_rows(queryset, group_by, value):
    """Rows per owner (or per the owner's team) of the deals in `queryset`."""
    groups = defaultdict(list)
    for deal in queryset.select_related("owner__team"):
        key = deal.owner if group_by == "owner" else deal.owner.team
        if key is not None:
            groups[key].append(deal)
    return [MetricRow(str(key.pk), str(key) if group_by == "team" else key.get_full_name() or key.username,
                      *value(deals)) for key, deals in sorted(groups.items(), key=lambda item: item[0].pk)]


def _won_value(scope, period):
    return MetricResult(None, _won(scope, period).count(),
                        _money(_won(scope, period).values("currency", "amount")))


def _source_rows(scope, period, group_by):
    rows = _leads(scope, period).order_by().values_list("source").annotate(n=Count("pk")).order_by("source")
    return [MetricRow(source, source, n, n) for source, n in rows]


FAKES = [
    Metric("deals_in_stage", "Deals in stage", metrics.COUNT, metrics.UP,
           compute=lambda s, p: MetricResult(_deals(s, p).count(), _deals(s, p).count()),
           records=_deals, breakdown=_deals_in_stage_breakdown, group_by=("stage",),
           drilldown_url=_url("pipeline:list"), app="pipeline"),
    Metric("pipeline_amount", "Pipeline amount", metrics.MONEY, metrics.UP,
           compute=lambda s, p: MetricResult(None, _deals(s, p).count(),
                                             _money(_deals(s, p).values("currency", "amount"))),
           records=_deals, breakdown=_amount_breakdown, group_by=("stage",),
           drilldown_url=_url("pipeline:list"), app="pipeline"),
    Metric("deals_won", "Deals won", metrics.COUNT, metrics.UP,
           compute=lambda s, p: MetricResult(_won(s, p).count(), _won(s, p).count()), records=_won,
           breakdown=lambda s, p, g: _group_rows(_won(s, p), g, lambda deals: (len(deals), len(deals))),
           group_by=("owner", "team"), drilldown_url=_url("pipeline:list"), app="pipeline"),
    Metric("won_value", "Won value", metrics.MONEY, metrics.UP, compute=_won_value, records=_won,
           breakdown=lambda s, p, g: _group_rows(_won(s, p), g, lambda deals: (
               None, len(deals), _money([{"currency": d.currency, "amount": d.amount} for d in deals]))),
           group_by=("owner", "team"), drilldown_url=_url("pipeline:list"), app="pipeline"),
    Metric("lead_volume", "Lead volume", metrics.COUNT, metrics.UP,
           compute=lambda s, p: MetricResult(_leads(s, p).count(), _leads(s, p).count()), records=_leads,
           breakdown=_source_rows, group_by=("source",), drilldown_url=_url("leads:list"), app="leads"),
]


@contextmanager
def fake_metrics():
    """Register the stand-ins missing from the registry; put the registry back afterwards."""
    saved = dict(metrics._metrics)
    for metric in FAKES:
        if metrics.find(metric.code) is None:
            metrics.register(metric)
    try:
        yield
    finally:
        metrics._metrics.clear()
        metrics._metrics.update(saved)
