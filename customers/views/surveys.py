"""Survey pages: the list, create and edit (can_manage_surveys), send (can_send_surveys), a survey's
results, the answers list (the metric drill-down) and the public answer page (/s/<token>/, no login)."""
import json
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from salesops.charts import grouped_bar_figure
from teams.predicates import can_manage_surveys, can_send_surveys

from .. import services
from .. import surveys as math
from ..filters import SurveyResponseFilterSet
from ..forms.surveys import SurveyAnswerForm, SurveyForm, SurveySendForm
from ..models import Survey
from ..selectors import (
    contact_queryset_for, survey_invitation_by_token, survey_invitation_queryset_for, survey_response_queryset_for,
)
from ..services.surveys import MAX_SEND, LinkNotOpen, invitation_state
from ..survey_metrics import invitation_figures, monthly, response_figures

PAGE_SIZE = 50
TREND_MONTHS = 12


def _page(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


@login_required
def survey_list_view(request):
    page = _page(request, Survey.objects.order_by("-is_active", "name", "id"))
    return render(request, "customers/surveys/survey_list.html", {
        "page_obj": page, "surveys": page.object_list, "can_manage": can_manage_surveys(request.user)})


@login_required
@require_http_methods(["GET", "POST"])
def survey_edit_view(request, pk=None):
    if not can_manage_surveys(request.user):
        raise PermissionDenied(_("Only customer success, marketing and administrators manage surveys."))
    survey = get_object_or_404(Survey, pk=pk) if pk else None
    form = SurveyForm(request.POST or None, instance=survey)
    if request.method == "POST" and form.is_valid():
        try:
            if survey is None:
                survey = services.survey_create(by=request.user, **form.fields_for_service())
            else:
                survey = services.survey_update(survey=survey, by=request.user, **form.fields_for_service())
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Survey saved."))
            return redirect("customers:survey-detail", pk=survey.pk)
    return render(request, "customers/surveys/survey_form.html", {"form": form, "survey": survey})


def _trend_chart(months: list[dict], kind: str) -> dict:
    labels = [f"{row['month']:%Y-%m}" for row in months]
    if kind == math.NPS:
        series = [(_("NPS"), [row["nps"] for row in months])]
        title, y_title = _("NPS by month"), _("NPS")
    else:
        series = [(_("CSAT"), [row["csat"] for row in months])]
        title, y_title = _("CSAT by month"), _("% satisfied")
    fig = grouped_bar_figure(labels, series, title=title, x_title=_("Month"), y_title=y_title)
    return json.loads(fig.to_json())


@login_required
def survey_detail_view(request, pk):
    """Results for the answers you may see: NPS/CSAT with counts, response rate, monthly trend, answers."""
    survey = get_object_or_404(Survey, pk=pk)
    answers = survey_response_queryset_for(user=request.user).filter(survey=survey)
    start = timezone.localdate().replace(day=1)
    for _month in range(TREND_MONTHS - 1):
        start = (start - timedelta(days=1)).replace(day=1)
    months = monthly(answers.filter(responded_at__date__gte=start))
    page = _page(request, answers.order_by("-responded_at", "-id"))
    return render(request, "customers/surveys/survey_detail.html", {
        "survey": survey, "figures": response_figures(answers),
        "sent": invitation_figures(survey_invitation_queryset_for(user=request.user).filter(survey=survey)),
        "months": months, "chart": _trend_chart(months, survey.kind) if months else None,
        "page_obj": page, "responses": page.object_list, "can_manage": can_manage_surveys(request.user),
        "can_send": can_send_surveys(request.user) and survey.is_active})


@login_required
@require_http_methods(["GET", "POST"])
def survey_send_view(request, pk):
    """Choose contacts (of the accounts you may see; search by name, email or account) and send."""
    if not can_send_surveys(request.user):
        raise PermissionDenied(_("You may not send surveys."))
    survey = get_object_or_404(Survey, pk=pk)
    q = request.GET.get("q", "")[:200]
    contacts = contact_queryset_for(user=request.user).exclude(email="")
    if q:
        contacts = contacts.filter(Q(name__icontains=q) | Q(email__icontains=q) | Q(account__name__icontains=q))
    shown = list(contacts.order_by("account__name", "name", "id")[:MAX_SEND])
    if request.method == "POST":
        form = SurveySendForm(request.POST, contacts=contact_queryset_for(user=request.user).filter(
            pk__in=[v for v in request.POST.getlist("contacts") if v.isdigit()][:MAX_SEND + 1]))
        if form.is_valid():
            try:
                outcome = services.survey_send(survey=survey, contact_ids=form.cleaned_data["contacts"],
                                               by=request.user)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Sent to %(n)d contacts; %(skipped)d skipped (no email address or "
                                            "already invited).") % {
                    "n": len(outcome.invitations), "skipped": len(outcome.no_email) + len(outcome.already_invited)})
                return redirect("customers:survey-detail", pk=survey.pk)
    else:
        form = SurveySendForm(contacts=shown)
    return render(request, "customers/surveys/survey_send.html", {
        "survey": survey, "form": form, "contacts": shown, "q": q, "max_send": MAX_SEND})


@login_required
def survey_responses_view(request):
    """Every answer you may see, filtered (the drill-down of the nps, csat and response-rate metrics)."""
    queryset = survey_response_queryset_for(user=request.user).order_by("-responded_at", "-id")
    filterset = SurveyResponseFilterSet(request.GET, queryset=queryset)
    rows = filterset.qs if filterset.is_valid() else queryset.none()
    page = _page(request, rows)
    return render(request, "customers/surveys/response_list.html", {
        "filter": filterset, "page_obj": page, "paginator": page.paginator, "responses": page.object_list})


# --- public: the personal link -----------------------------------------------------------------------
STATE_MESSAGES = {
    "answered": lambda: _("You have already answered this survey. Thank you!"),
    "expired": lambda: _("This survey link has expired."),
    "closed": lambda: _("This survey is closed."),
    "unknown": lambda: _("This survey link is not valid."),
}


def _closed(request, state: str, status: int):
    return render(request, "customers/surveys/answer_closed.html", {"message": STATE_MESSAGES[state]()},
                  status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def survey_answer_view(request, token):
    """Public (the contact is signed out): the question as buttons, a reason, the further questions.
    Shown in the language the invitation was written in, unless the reader chose one (the switcher)."""
    invitation = survey_invitation_by_token(token=token)
    if invitation is None:
        return _closed(request, "unknown", 404)
    chosen = settings.LANGUAGE_COOKIE_NAME in request.COOKIES
    with translation.override(translation.get_language() if chosen else invitation.language):
        state = invitation_state(invitation)
        if state != "open":
            return _closed(request, state, 410 if state == "expired" else 200)
        form = SurveyAnswerForm(request.POST or None, survey=invitation.survey)
        if request.method == "POST" and form.is_valid():
            try:
                services.survey_answer(token=token, score=form.cleaned_data["score"],
                                       reason=form.cleaned_data["reason"], answers=form.answers())
            except LinkNotOpen as exc:
                return _closed(request, exc.state, 200)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                return render(request, "customers/surveys/answer_thanks.html", {"invitation": invitation})
        return render(request, "customers/surveys/answer.html", {
            "invitation": invitation, "survey": invitation.survey, "form": form,
            "low_label": _("Not at all likely") if invitation.survey.kind == math.NPS else _("Very dissatisfied"),
            "high_label": _("Extremely likely") if invitation.survey.kind == math.NPS else _("Very satisfied")})
