"""Project-level views: health check, global search."""
from django.conf import settings
from django.db import connection, transaction
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _

from . import search


def _database_ok() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return True, "ok"
    except Exception as exc:  # any failure means unhealthy; report its class, not secrets
        return False, f"error: {exc.__class__.__name__}"


def _broker_ok() -> tuple[bool, str]:
    if not settings.CELERY_BROKER_URL:
        return True, "eager (no broker configured)"
    from kombu import Connection

    try:
        with Connection(settings.CELERY_BROKER_URL, connect_timeout=2) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True, "ok"
    except Exception as exc:
        return False, f"error: {exc.__class__.__name__}"


@never_cache
@require_GET
@transaction.non_atomic_requests
def healthz(request):
    """503 only when this node cannot serve (database down). With the broker away, writes still
    succeed (background work is recorded and swept later), so the node answers 200 and says
    "degraded": a load balancer keeps it in rotation, monitoring sees the broker problem."""
    db_ok, db_status = _database_ok()
    broker_ok, broker_status = _broker_ok()
    status = "ok" if db_ok and broker_ok else "degraded" if db_ok else "unhealthy"
    return JsonResponse({"status": status, "database": db_status, "broker": broker_status},
                        status=200 if db_ok else 503)


@login_required
@require_GET
def search_view(request):
    """The header search box's results: every registered kind (salesops.search), grouped, scoped to
    what the user may see; bounded (at most MAX_QUERY_LENGTH characters, DEFAULT_LIMIT hits a kind)."""
    q = search.clean_query(request.GET.get("q"))
    error = ""
    if len(q) > search.MAX_QUERY_LENGTH:
        error = _("Search for at most %(max)d characters.") % {"max": search.MAX_QUERY_LENGTH}
    elif q and len(q) < search.MIN_QUERY_LENGTH:
        error = _("Type at least %(min)d characters.") % {"min": search.MIN_QUERY_LENGTH}
    groups = [] if error else search.search(request.user, q)
    return render(request, "salesops/search.html", {
        "q": q[:search.MAX_QUERY_LENGTH], "groups": groups, "error": error, "limit": search.DEFAULT_LIMIT,
        "max_length": search.MAX_QUERY_LENGTH}, status=400 if error else 200)
