"""Saved filters and the pickers' type-ahead lookups (issue 12, item 3)."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from salesops.list_filters import saved_list

from ..selectors.saved_filters import people_lookup, saved_filters_for, teams_lookup
from ..services.saved_filters import saved_filter_create, saved_filter_delete

MAX_Q = 100


def _lookup(request, read):
    q = request.GET.get("q", "")
    if len(q) > MAX_Q:
        return JsonResponse({"error": _("Type at most %(count)d characters.") % {"count": MAX_Q}}, status=400)
    return JsonResponse({"results": read(user=request.user, q=q.strip())})


@login_required
@require_GET
def people_lookup_view(request):
    """`?q=` → `{"results": [{"id", "label"}]}`: up to ten people the user may see, by name."""
    return _lookup(request, people_lookup)


@login_required
@require_GET
def teams_lookup_view(request):
    return _lookup(request, teams_lookup)


def _list_url(list_key: str) -> str:
    registered = saved_list(list_key)
    try:
        return reverse(registered.url_name) if registered else reverse("dashboards:home")
    except NoReverseMatch:
        return reverse("dashboards:home")


@login_required
@require_POST
def saved_filter_create_view(request):
    list_key, query = request.POST.get("list_key", "")[:30], request.POST.get("query", "")
    url = _list_url(list_key)
    try:
        saved = saved_filter_create(user=request.user, list_key=list_key, name=request.POST.get("name", ""),
                                    query=query)
    except ValidationError as exc:
        messages.error(request, _("The filter was not saved: %(errors)s") % {"errors": " ".join(exc.messages)})
        return redirect(f"{url}?{query[:1000]}" if query else url)
    messages.success(request, _("Filter “%(name)s” saved.") % {"name": saved.name})
    return redirect(f"{url}?{saved.query}" if saved.query else url)


@login_required
@require_POST
def saved_filter_delete_view(request, pk):
    saved = get_object_or_404(saved_filters_for(user=request.user), pk=pk)
    url = _list_url(saved.list_key)
    try:
        saved_filter_delete(user=request.user, saved_filter=saved)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Filter “%(name)s” deleted.") % {"name": saved.name})
    return redirect(url)
