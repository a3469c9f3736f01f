"""Dashboards served from figures computed ahead: what a viewer opened is kept, and kept fresh.

A dashboard at 1,000,000 deals needs its GROUP BYs (1–2 s for the whole organisation); a manager
opens it many times a day. So a built dashboard (`dashboards.panels.build`: tiles, sections, charts)
is kept in Django's cache (settings.CACHES: Redis or a file cache in production, shared by the web
and worker processes) for `SALESOPS_DASHBOARD_CACHE_SECONDS` (default 600), per viewer, dashboard,
scope, period and language — per viewer because what a dashboard counts is what its viewer may see
(`teams.selectors.owner_q`: roles, teams, mentees), and a cache shared across viewers would have to
repeat that rule. The page says when its figures were computed and offers "Refresh now" (a live
build, stored for the next view).

Every view is remembered (the viewer, the dashboard and the filter as the viewer asked for it —
"last 3 months", not its dates), and a beat job (`dashboards_warm_task`, every
`SALESOPS_DASHBOARD_WARM_MINUTES`, default 5) rebuilds what was viewed within
`SALESOPS_DASHBOARD_WARM_HOURS` (default 24), newest first, at most `SALESOPS_DASHBOARD_WARM_MAX`
(default 200) per run: the dashboards people use are served from the cache and are never more than
a few minutes old; one nobody opens costs nothing. `SALESOPS_DASHBOARD_CACHE_SECONDS=0` turns the
cache off (every view builds live), as the tests do unless they ask for it.
"""
from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.http import QueryDict
from django.utils import timezone, translation

from salesops.db_router import replica_reads
from salesops.metrics import Period, Scope

from . import panels

logger = logging.getLogger(__name__)
VIEWED_KEY = "dashboard-board:viewed"
VERSION = 1  # bump when the shape of a built board changes (a deploy must not read old pickles)


def cache_seconds() -> int:
    return int(getattr(settings, "SALESOPS_DASHBOARD_CACHE_SECONDS", 600))


@dataclass(frozen=True)
class ServedBoard:
    board: dict
    computed_at: datetime
    from_cache: bool


def board_key(name: str, scope: Scope, period: Period, language: str) -> str:
    raw = "|".join(str(part) for part in (
        VERSION, getattr(scope.user, "pk", None), name, scope.team_id, scope.owner_id, period.start, period.end,
        language))
    return "dashboard-board:" + hashlib.sha256(raw.encode()).hexdigest()


def served_board(name: str, scope: Scope, period: Period, today: date, *, query: QueryDict | None = None,
                 refresh: bool = False) -> ServedBoard:
    """The dashboard `name` for `scope` and `period`: from the cache when it holds it (and `refresh`
    is not asked), else built now and stored. `query` (the request's filter) is remembered for the
    warm job."""
    seconds = cache_seconds()
    if seconds <= 0:
        return ServedBoard(panels.build(name, scope, period, today), timezone.now(), False)
    language = translation.get_language() or settings.LANGUAGE_CODE
    key = board_key(name, scope, period, language)
    if query is not None:
        remember(name, scope, query, language)
    if not refresh:
        found = cache.get(key)
        if found is not None:
            board, computed_at = found
            return ServedBoard(board, computed_at, True)
    board = panels.build(name, scope, period, today)
    computed_at = timezone.now()
    # kept a little longer than a warm cycle, so a dashboard in use never expires between two runs
    cache.set(key, (board, computed_at), seconds + warm_minutes() * 60)
    return ServedBoard(board, computed_at, False)


# --- what was viewed, and the warm job ------------------------------------------------------------
def warm_minutes() -> int:
    return int(getattr(settings, "SALESOPS_DASHBOARD_WARM_MINUTES", 5))


def _filter_query(query: QueryDict) -> str:
    """The filter part of a request's query string (period, dates, team, rep), in a stable order."""
    from .filter_form import DashboardFilterForm

    return urlencode([(key, query.get(key)) for key in DashboardFilterForm.KEYS if query.get(key)])


def remember(name: str, scope: Scope, query: QueryDict, language: str) -> None:
    """Note that the viewer opened this dashboard with this filter (a hint for the warm job: a lost
    update between two concurrent views only means one dashboard is warmed a cycle later)."""
    user_id = getattr(scope.user, "pk", None)
    if user_id is None:
        return
    viewed = cache.get(VIEWED_KEY) or {}
    viewed[(user_id, name, _filter_query(query), language)] = timezone.now()
    limit = int(getattr(settings, "SALESOPS_DASHBOARD_WARM_MAX", 200))
    if len(viewed) > limit * 2:  # bounded: keep the most recent
        viewed = dict(sorted(viewed.items(), key=lambda item: item[1], reverse=True)[:limit])
    cache.set(VIEWED_KEY, viewed, None)


def dashboards_warm(*, now: datetime | None = None) -> int:
    """Rebuild the dashboards viewed within SALESOPS_DASHBOARD_WARM_HOURS, newest first, at most
    SALESOPS_DASHBOARD_WARM_MAX; returns how many were built. A viewer who left, a dashboard that is
    gone or a filter that no longer validates (a team deleted) is dropped from the list."""
    if cache_seconds() <= 0:
        return 0
    from teams.models import User

    from .filter_form import DashboardFilterForm

    now = now or timezone.now()
    since = now - timedelta(hours=int(getattr(settings, "SALESOPS_DASHBOARD_WARM_HOURS", 24)))
    viewed = cache.get(VIEWED_KEY) or {}
    recent = sorted(((key, seen) for key, seen in viewed.items() if seen >= since), key=lambda item: item[1],
                    reverse=True)[:int(getattr(settings, "SALESOPS_DASHBOARD_WARM_MAX", 200))]
    users = User.objects.filter(pk__in={key[0] for key, _seen in recent}, is_active=True).in_bulk()
    today, built, dropped = timezone.localdate(now), 0, []
    for key, _seen in recent:
        user_id, name, query, language = key
        user = users.get(user_id)
        form = DashboardFilterForm(QueryDict(query), user=user, today=today) if user else None
        if user is None or name not in panels.DASHBOARDS or (form.is_bound and not form.is_valid()):
            dropped.append(key)
            continue
        try:
            with translation.override(language), replica_reads():
                served_board(name, form.get_scope(), form.get_period(), today, refresh=True)
            built += 1
        except Exception:  # one failing dashboard must not stop the others; logged, retried next run
            logger.exception("warming dashboard %s for user %s failed", name, user_id)
    if dropped:
        viewed = cache.get(VIEWED_KEY) or {}
        for key in dropped:
            viewed.pop(key, None)
        cache.set(VIEWED_KEY, viewed, None)
    return built
