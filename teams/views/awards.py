"""Awards pages: leaderboard and recent awards, nominate a peer, the manager chooses, history."""
from dateutil.relativedelta import relativedelta
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ..forms import NominationForm
from ..models import Award, User
from ..predicates import can_choose_award, can_compute_awards
from ..selectors import training as sel
from ..services import awards as services


def _error(request, exc):
    messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))


@login_required
def award_list_view(request):
    nominations = list(sel.nominations_for(user=request.user)[:50])
    for nomination in nominations:
        nomination.may_choose = can_choose_award(request.user, nomination.team)
    return render(request, "teams/awards/award_list.html", {
        "leaderboard": sel.leaderboard(),
        "recent": sel.award_queryset()[:20],
        "form": NominationForm(user=request.user) if request.user.team_id else None,
        "nominations": nominations,
        "may_compute": can_compute_awards(request.user),
    })


@login_required
@require_POST
def nominate_view(request):
    form = NominationForm(request.POST, user=request.user)
    if not form.is_valid():
        messages.error(request, _("Choose a colleague of your team and say why."))
        return redirect("teams:awards")
    try:
        services.nomination_create(by=request.user, nominee=form.cleaned_data["nominee"],
                                   reason=form.cleaned_data["reason"])
    except (ValidationError, PermissionDenied) as exc:
        _error(request, exc)
    else:
        messages.success(request, _("Thank you: your nomination is recorded."))
    return redirect("teams:awards")


@login_required
@require_POST
def choose_view(request, pk):
    nomination = get_object_or_404(sel.nominations_for(user=request.user), pk=pk)
    try:
        services.collaboration_choose(by=request.user, nomination=nomination)
    except (ValidationError, PermissionDenied) as exc:
        _error(request, exc)
    else:
        messages.success(request, _("Best collaboration chosen: %(name)s.") % {"name": nomination.nominee})
    return redirect("teams:awards")


@login_required
@require_POST
def best_newcomer_view(request):
    """Compute this month's and last month's best newcomer (idempotent)."""
    if not can_compute_awards(request.user):
        raise PermissionDenied(_("Only managers and administrators compute awards."))
    today = timezone.localdate()
    found = 0
    for day in (today - relativedelta(months=1), today):
        start, end = services.month_of(day)
        found += services.best_newcomer_compute(by=request.user, start=start, end=end) is not None
    messages.success(request, _("Best newcomer computed for %(n)d of 2 months.") % {"n": found})
    return redirect("teams:awards")


@login_required
def award_history_view(request, pk):
    person = get_object_or_404(User.objects.filter(is_active=True), pk=pk)
    awards = sel.award_queryset().filter(user=person)[:100]
    return render(request, "teams/awards/history.html", {"person": person, "awards": awards,
                                                          "kinds": Award.Kind})
