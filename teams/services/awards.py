"""Writes for awards: best newcomer (computed through the metric registry's `quota_attainment`,
so teams reads pipeline's figures without importing it), best collaboration (peer nominations,
the manager chooses). Rows are locked; rules are teams.predicates'."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.contrib.admin.models import ADDITION
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from salesops import metrics

from .. import exams
from ..models import Award, Nomination, User
from ..predicates import can_choose_award, can_compute_awards, can_nominate
from ..selectors.training import newcomers
from . import audit_log, notify

MAX_REASON = 2000


def month_of(day: date) -> tuple[date, date]:
    start = day.replace(day=1)
    return start, start + relativedelta(months=1, days=-1)


def newcomer_attainments(*, start: date, end: date) -> list[tuple[int, float | None]]:
    """(user id, quota attainment %) of each newcomer in the period, from the registry metric (each
    person's own figure, seen as they see it). An unregistered metric gives nothing."""
    metric = metrics.find("quota_attainment")
    if metric is None:
        return []
    period = metrics.Period(start, end)
    result = []
    for person in newcomers(as_of=end):
        value = metric.compute(metrics.Scope(person, owner_id=person.pk), period).value
        result.append((person.pk, None if value is None else float(value)))
    return result


@transaction.atomic
def best_newcomer_compute(*, by=None, start: date, end: date) -> Award | None:
    """The best newcomer of a period: the highest quota attainment among reps hired under 12 months
    before the period ends (ties: the earlier user id). Idempotent: the period's award is replaced
    (locked) when the figures changed. `by` None is the beat job. None when nobody qualifies."""
    if by is not None and not can_compute_awards(by):
        raise PermissionDenied(gettext("Only managers and administrators compute awards."))
    if end < start:
        raise ValidationError(gettext("The period ends before it starts."))
    best = exams.best_by_value(newcomer_attainments(start=start, end=end))
    if best is None:
        return None
    user_id, value = best
    kind = Award.Kind.BEST_NEWCOMER
    award = Award.objects.select_for_update().filter(kind=kind, team__isnull=True, period_start=start).first()
    value = Decimal(str(round(value, 1)))
    if award is None:
        award = Award.objects.create(kind=kind, period_start=start, period_end=end, user_id=user_id, value=value,
                                     chosen_by=by)
        if by is not None:  # the beat job's awards are not anybody's change
            audit_log(by=by, objects=[award], flag=ADDITION)
        notify(recipient=award.user, kind="award", text=gettext_noop("You won the best newcomer award."),
               url=reverse("teams:awards"))
    elif (award.user_id, award.value, award.period_end) != (user_id, value, end):
        award.user_id, award.value, award.period_end = user_id, value, end
        award.save(update_fields=["user", "value", "period_end"])
    return award


@transaction.atomic
def nomination_create(*, by, nominee, reason: str, today: date | None = None) -> Nomination:
    """`by` nominates a team peer for this month's best collaboration (one nomination per person and
    month: a second one replaces the first)."""
    if not can_nominate(by, nominee):
        raise PermissionDenied(gettext("You can nominate an active colleague of your own team, not yourself."))
    reason = (reason or "").strip()
    if not reason or len(reason) > MAX_REASON:
        raise ValidationError({"reason": gettext("Say why, in at most 2000 characters.")})
    start, end = month_of(today or timezone.localdate())
    User.objects.select_for_update().filter(pk=by.pk).first()
    nomination = Nomination.objects.select_for_update().filter(nominated_by=by, period_start=start).first()
    if nomination is None:
        nomination = Nomination.objects.create(period_start=start, period_end=end, team_id=by.team_id,
                                               nominee=nominee, nominated_by=by, reason=reason)
    else:
        nomination.nominee, nomination.reason, nomination.team_id = nominee, reason, by.team_id
        nomination.save(update_fields=["nominee", "reason", "team"])
    return nomination


@transaction.atomic
def collaboration_choose(*, by, nomination: Nomination) -> Award:
    """The team's manager (or an admin) chooses the period's best collaboration among its
    nominations; choosing again replaces the winner."""
    nomination = Nomination.objects.select_related("team").get(pk=nomination.pk)
    if not can_choose_award(by, nomination.team):
        raise PermissionDenied(gettext("Only the team's manager chooses its best collaboration."))
    kind = Award.Kind.BEST_COLLABORATION
    award = (Award.objects.select_for_update()
             .filter(kind=kind, team=nomination.team, period_start=nomination.period_start).first())
    fields = {"user": nomination.nominee, "reason": nomination.reason, "chosen_by": by, "nomination": nomination,
              "period_end": nomination.period_end}
    if award is None:
        try:
            with transaction.atomic():
                award = Award.objects.create(kind=kind, team=nomination.team,
                                             period_start=nomination.period_start, **fields)
        except IntegrityError as exc:  # chosen at the same moment by another request
            raise ValidationError(gettext("This award was just chosen; reload the page.")) from exc
        audit_log(by=by, objects=[award], flag=ADDITION)
    else:
        for name, value in fields.items():
            setattr(award, name, value)
        award.save(update_fields=list(fields))
    notify(recipient=nomination.nominee, kind="award", text=gettext_noop("You won the best collaboration award."),
           url=reverse("teams:awards"))
    return award
