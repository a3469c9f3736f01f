from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST
from django.views.i18n import set_language
from django_filters.views import FilterView

from .. import selectors, services
from ..filters import QuotaFilterSet, UserFilterSet
from ..mixins import ScopedQuerysetMixin
from ..models import Quota


class PeopleListView(LoginRequiredMixin, FilterView):
    filterset_class = UserFilterSet
    template_name = "teams/people_list.html"
    paginate_by = 50

    def get_queryset(self):
        return selectors.user_directory_for(user=self.request.user)


class QuotaListView(ScopedQuerysetMixin, FilterView):
    model = Quota
    filterset_class = QuotaFilterSet
    template_name = "teams/quota_list.html"
    paginate_by = 50
    scope_owner_field = "user"

    def get_base_queryset(self):
        return Quota.objects.select_related("user", "user__team")


@login_required
def team_list_view(request):
    teams = selectors.team_queryset().prefetch_related("members")
    return render(request, "teams/team_list.html", {"teams": teams})


@login_required
def notification_list_view(request):
    page = Paginator(services.notifications_for(user=request.user), 50).get_page(request.GET.get("page"))
    return render(request, "teams/notifications.html", {"page_obj": page, "notifications": page.object_list})


@login_required
@require_POST
def notification_mark_read_view(request):
    """Mark the posted `id`s (or, without any, all) of the user's own notifications as read."""
    ids = [int(value) for value in request.POST.getlist("id") if value.isdecimal() and len(value) < 19]
    services.notifications_mark_read(user=request.user, ids=ids or None)
    return redirect("teams:notifications")


def set_language_view(request):
    """Django's language menu view; a signed-in user's choice is also remembered on their profile,
    so emails and review packs reach them in the language they read the site in."""
    response = set_language(request)
    if request.method == "POST" and request.user.is_authenticated:
        services.user_set_language(user=request.user, language=request.POST.get("language", ""))
    return response
