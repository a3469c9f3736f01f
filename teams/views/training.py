"""Training and certification pages: courses, taking an exam, my certificates, the team matrix."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django_filters.views import FilterView

from .. import exams
from ..filters import CertificationGrantFilterSet, ExamAttemptFilterSet
from ..forms import ExamForm
from ..models import Certification, Team
from ..predicates import can_see_team_training
from ..selectors import dashboard_teams_for
from ..selectors import training as sel
from ..services.training import exam_submit


@login_required
def course_list_view(request):
    courses = list(sel.course_queryset_for(user=request.user))
    passed = set(sel.attempt_queryset_for(user=request.user).filter(user=request.user, passed=True)
                 .values_list("exam__course_id", flat=True))
    rows = [{"course": c, "assigned": c.is_for(request.user.role), "passed": c.pk in passed} for c in courses]
    return render(request, "teams/training/course_list.html", {"rows": rows})


@login_required
def course_detail_view(request, pk):
    course = get_object_or_404(sel.course_queryset_for(user=request.user), pk=pk)
    attempts = (sel.attempt_queryset_for(user=request.user).filter(user=request.user, exam__course=course)[:20])
    return render(request, "teams/training/course_detail.html", {"course": course, "attempts": attempts})


@login_required
def exam_take_view(request, pk):
    exam = get_object_or_404(sel.exam_queryset_for(user=request.user), pk=pk)
    form = ExamForm(request.POST or None, exam=exam)
    if request.method == "POST" and form.is_valid():
        try:
            attempt = exam_submit(exam=exam, by=request.user, answers=form.answers())
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, " ".join(getattr(exc, "messages", [str(exc)])))
        else:
            text = (_("Passed with %(score)s %%: %(correct)d of %(total)d right.") if attempt.passed
                    else _("Not passed: %(score)s %% (%(correct)d of %(total)d right); the pass mark is %(mark)d %%."))
            (messages.success if attempt.passed else messages.warning)(request, text % {
                "score": attempt.score, "correct": attempt.correct, "total": len(exam.questions),
                "mark": exam.pass_mark})
            return redirect("teams:course-detail", pk=exam.course_id)
    return render(request, "teams/training/exam_take.html", {"exam": exam, "form": form},
                  status=400 if form.errors else 200)


@login_required
def my_certifications_view(request):
    rows = sel.certification_rows(people=[request.user], today=timezone.localdate())
    cells = [cell for cell in rows[0]["cells"] if cell] if rows else []
    return render(request, "teams/training/my_certifications.html", {"cells": cells})


def _int_or_none(value):
    return int(value) if value and value.isdecimal() and len(value) < 10 else None


@login_required
def team_certifications_view(request):
    """Managers: who holds what, what expires, pass rates per course and team, the certified share."""
    if not can_see_team_training(request.user):
        raise PermissionDenied(_("Managers and administrators see their teams' certifications."))
    teams = dashboard_teams_for(user=request.user) if not request.user.is_admin_role else \
        Team.objects.order_by("name")
    team_id = _int_or_none(request.GET.get("team"))
    if team_id is not None and not teams.filter(pk=team_id).exists():
        team_id = None
    today = timezone.localdate()
    people = list(sel.people_in_scope(user=request.user, team_id=team_id)
                  .filter(role__in=sel.PEOPLE_ROLES)[:200])
    valid, required = sel.certified_share_parts(people=people, as_of=today)
    return render(request, "teams/training/team_certifications.html", {
        "rows": sel.certification_rows(people=people, today=today),
        "certifications": Certification.objects.all(),
        "rates": sel.pass_rates(people=people),
        "share": exams.percent(valid, required), "valid": valid, "required": required,
        "teams": teams, "team_id": team_id,
    })


class GrantListView(LoginRequiredMixin, FilterView):
    """Certificates held, in the viewer's scope (the drill-down of `certified_share`)."""

    filterset_class = CertificationGrantFilterSet
    template_name = "teams/training/grant_list.html"
    paginate_by = 50

    def get_queryset(self):
        return sel.grant_queryset_for(user=self.request.user)


class AttemptListView(LoginRequiredMixin, FilterView):
    """Exam attempts, in the viewer's scope (the drill-down of `training_participation`)."""

    filterset_class = ExamAttemptFilterSet
    template_name = "teams/training/attempt_list.html"
    paginate_by = 50

    def get_queryset(self):
        return sel.attempt_queryset_for(user=self.request.user)
