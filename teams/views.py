from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import render
from django_filters.views import FilterView

from . import selectors
from .filters import QuotaFilterSet, UserFilterSet
from .mixins import ScopedQuerysetMixin
from .models import Quota


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
