"""MQL routing, manual assignment, first touch, first-touch SLA and the lead pool (公海).

- `leads_route`: automatic routing of leads that reached the top grade (queued by scoring through
  `leads.tasks.lead_route_task`). The decision itself is pure logic in `leads.routing`.
- `lead_assign`: a manager or admin (re)assigns a lead, e.g. from the managers' queue.
- `lead_touch`: the owner records the first contact (stops the SLA clock and the pool return).
- `leads_flag_sla_breaches`, `leads_return_to_pool`: periodic sweeps (Celery beat).

Every change of owner writes an `Assignment` row (the audit trail) with a human-readable reason.
Reasons are stored rendered in the default language (settings.LANGUAGE_CODE): the model keeps
plain text; notifications, which have a params field, are translated when displayed.
Everything here is idempotent and safe to retry: rows are locked (select_for_update) and
re-checked before they change, each lead (or batch) commits on its own, and emails go out only
after the commit.
"""
from collections import Counter
from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Exists, F, Max, OuterRef, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_noop

from integrations.events import publish
from teams.models import User
from teams.predicates import can_assign_lead, can_work_lead_queue, keeps_lead_at_routing
from teams.selectors import CHANGE, owner_q
from teams.services import email_user, notify, notify_all

from ..models import Assignment, Lead, RoutingRule
from ..routing import LeadFacts, Message, RepSpec, RuleSpec, decide_route, first_matching_rule

CLOSED_STATUSES = (Lead.Status.CONVERTED, Lead.Status.DISQUALIFIED)
BATCH_SIZE = 500
ROUTE_BATCH_SIZE = 200  # leads routed per transaction


# --- settings and small helpers ---------------------------------------------------------------

def first_touch_sla() -> timedelta:
    return timedelta(hours=getattr(settings, "LEADS_FIRST_TOUCH_SLA_HOURS", 24))


def pool_return_days() -> int:
    return getattr(settings, "LEADS_POOL_RETURN_DAYS", 7)


def _in_default_language(text_factory) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return text_factory()


def _when(value: datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else "-"


def _lead_url(lead: Lead) -> str:
    return reverse("leads:detail", args=[lead.pk])


def _absolute(path: str) -> str:
    """Emails need absolute links (settings.SALESOPS_BASE_URL)."""
    return getattr(settings, "SALESOPS_BASE_URL", "").rstrip("/") + path


def _as_list(value) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,) if value else ()
    return tuple(str(item) for item in (value or ()))


# --- reads used by the routing screens (the managers' queue) ------------------------------------

def lead_queue_q() -> Q:
    """Unowned, open leads that went through routing: top grade reached or assigned before."""
    return (Q(owner__isnull=True) & ~Q(status__in=CLOSED_STATUSES) & ~Q(imported_converted=True)
            & (Q(mql_at__isnull=False) | Q(Exists(Assignment.objects.filter(lead=OuterRef("pk"))))))


def lead_queue_for(*, user) -> QuerySet[Lead]:
    """The managers' queue and the pool: shared by every manager and admin; reps see nothing.

    Managers may only hand a queued lead to the people `assignable_users_for` allows (their team).
    """
    if not can_work_lead_queue(user):
        return Lead.objects.none()
    last_reason = Assignment.objects.filter(lead=OuterRef("pk")).order_by("-created_at", "-id").values("reason")[:1]
    return (Lead.objects.filter(lead_queue_q()).annotate(last_reason=Subquery(last_reason))
            .order_by(F("mql_at").asc(nulls_last=True), "pk"))


def lead_assignable_queryset_for(*, user) -> QuerySet[Lead]:
    """Leads `user` may (re)assign: managers their team's leads and the queue; admins every lead."""
    if not can_work_lead_queue(user):
        return Lead.objects.none()
    return Lead.objects.filter(owner_q(user=user, action=CHANGE) | lead_queue_q())


def assignment_history(*, lead: Lead) -> QuerySet[Assignment]:
    return lead.assignments.select_related("rep", "previous_owner", "assigned_by", "rule")


# --- the shared write path --------------------------------------------------------------------

OWNER_FIELDS = ["owner", "assigned_at", "first_touch_due_at", "first_touched_at", "sla_breached_at",
                "pool_warning_at", "version", "updated_at"]


def _set_owner(*, lead: Lead, rep: User | None, now: datetime) -> None:
    """The fields an owner change sets (in memory; the caller saves OWNER_FIELDS)."""
    previous_owner_id = lead.owner_id
    lead.owner = rep
    lead.sla_breached_at = None
    lead.pool_warning_at = None
    if rep is None:
        lead.assigned_at = lead.first_touch_due_at = None
    else:
        lead.assigned_at = now
        if previous_owner_id != rep.pk:
            lead.first_touched_at = None  # the first touch is measured for the current owner
        lead.first_touch_due_at = now + first_touch_sla() if lead.first_touched_at is None else None
    lead.version += 1


def _apply_assignment(*, lead: Lead, rep: User | None, by: User | None, rule_id: int | None, reason: str,
                      now: datetime, take_turn: bool) -> Assignment:
    """Set the owner and the SLA clock of a locked lead and write the audit row."""
    previous_owner_id = lead.owner_id
    _set_owner(lead=lead, rep=rep, now=now)
    lead.save(update_fields=OWNER_FIELDS)
    if rep is not None and take_turn:
        # The round-robin stamp: strictly the latest of the team, so that the rep goes to the back of
        # the line even when several leads share one `now` (a batch) or workers' clocks differ a bit.
        stamp = now
        if rep.team_id:
            latest = User.objects.filter(team_id=rep.team_id).aggregate(latest=Max("last_lead_assigned_at"))["latest"]
            if latest is not None and latest >= stamp:
                stamp = latest + timedelta(microseconds=1)
        User.objects.filter(pk=rep.pk).update(last_lead_assigned_at=stamp)
        rep.last_lead_assigned_at = stamp
    assignment = Assignment.objects.create(lead=lead, rep=rep, previous_owner_id=previous_owner_id, assigned_by=by,
                                           rule_id=rule_id, reason=reason)
    publish("lead.assigned", object_id=lead.pk, owner_id=lead.owner_id,
            payload={"lead": lead.pk, "owner": lead.owner_id, "previous_owner": previous_owner_id, "reason": reason,
                     "first_touch_due_at": lead.first_touch_due_at.isoformat() if lead.first_touch_due_at else None})
    return assignment


def _notify_assigned(*, lead: Lead, rep: User, reason: str) -> None:
    notify(**_assigned_notice(lead=lead, rep=rep, reason=reason))


def _assigned_notice(*, lead: Lead, rep: User, reason: str) -> dict:
    """Email the new owner (after commit) and return their in-app notification, to create."""
    params = {"lead": lead.name, "company": lead.company or "-", "due": _when(lead.first_touch_due_at)}
    email_user(
        recipient=rep,
        subject=gettext_noop("New lead assigned to you: %(lead)s"),
        body=gettext_noop("Hello %(name)s,\n\nthe lead %(lead)s (%(company)s) was assigned to you.\n"
                          "Why: %(reason)s\nPlease contact it before %(due)s.\n\n%(url)s\n"),
        params={**params, "name": str(rep), "reason": reason, "url": _absolute(_lead_url(lead))},
    )
    return {"recipient": rep, "kind": "lead_assigned", "url": _lead_url(lead), "params": params,
            "text": gettext_noop("Lead %(lead)s (%(company)s) was assigned to you. First touch due %(due)s.")}


# --- automatic routing ------------------------------------------------------------------------

def _rule_specs() -> list[RuleSpec]:
    rules = RoutingRule.objects.filter(is_active=True).select_related("territory").order_by("priority", "id")
    return [
        RuleSpec(id=rule.pk, name=rule.name, team_id=rule.team_id,
                 regions=None if rule.territory_id is None else _as_list(rule.territory.regions),
                 industries=_as_list(rule.industries), min_company_size=rule.min_company_size,
                 max_company_size=rule.max_company_size)
        for rule in rules
    ]


def open_leads_q() -> Q:
    """A rep's open leads: exactly the condition of the partial index `lead_owner_open`, so that
    counting them reads that index (only owned, open leads) and never scans all leads."""
    return Q(owner__isnull=False) & ~Q(status__in=list(CLOSED_STATUSES))


def rep_open_lead_counts(*, rep_ids: Iterable[int]) -> dict[int, int]:
    """Open leads per rep, from the partial index `lead_owner_open` (cost grows with these reps'
    open leads, not with the table). Reps without open leads are absent."""
    ids = sorted(set(rep_ids))
    return dict(open_lead_counts_queryset(rep_ids=ids)) if ids else {}


def open_lead_counts_queryset(*, rep_ids: list[int]) -> QuerySet:
    return (Lead.objects.filter(open_leads_q(), owner_id__in=rep_ids).order_by().values("owner_id")
            .annotate(n=Count("*")).values_list("owner_id", "n"))


def _teams_reps(*, team_ids: Iterable[int]) -> dict[int, dict[int, tuple[User, RepSpec]]]:
    """The teams' reps (locked, teams in id order, so that concurrent routers see each other's
    turns and loads and never wait on each other in a circle), with their open-lead counts."""
    team_ids = sorted(set(team_ids))
    if not team_ids:
        return {}
    users = list(User.objects.select_for_update().filter(team_id__in=team_ids, role=User.Role.REP)
                 .order_by("team_id", "pk"))
    loads = rep_open_lead_counts(rep_ids=[user.pk for user in users])
    teams: dict[int, dict[int, tuple[User, RepSpec]]] = {team_id: {} for team_id in team_ids}
    for user in users:
        teams[user.team_id][user.pk] = (user, RepSpec(
            id=user.pk, name=str(user), is_active=user.is_active, is_away=user.is_away,
            open_leads=loads.get(user.pk, 0), capacity=user.lead_capacity,
            last_lead_assigned_at=user.last_lead_assigned_at))
    return teams


def _route_batch(*, lead_ids: list[int], rules: list[RuleSpec], now: datetime) -> list[Assignment]:
    """Route a batch of leads in one transaction with a constant number of statements: read the
    leads (locked), which were routed before, the reps and their loads; decide each lead in turn
    (the loads and turns change as the batch assigns); then write the leads, the audit rows and
    the notifications each in one statement, and each rep's new turn once."""
    leads = list(Lead.objects.select_for_update(of=("self",)).select_related("owner")
                 .filter(pk__in=lead_ids).order_by("pk"))
    # Routed before: the router's own rows have no `assigned_by` (an owner given on creation does not count).
    routed = set(Assignment.objects.filter(lead_id__in=lead_ids, assigned_by__isnull=True)
                 .values_list("lead_id", flat=True))
    # gone, closed, history (converted per an import), or already routed (retries change nothing)
    leads = [lead for lead in leads if lead.status not in CLOSED_STATUSES and not lead.imported_converted
             and lead.pk not in routed]
    if not leads:
        return []
    facts = {lead.pk: LeadFacts(region=lead.region or "", industry=lead.industry or "",
                                company_size=lead.company_size) for lead in leads}
    matched = {lead.pk: first_matching_rule(rules, facts[lead.pk]) for lead in leads
               if not keeps_lead_at_routing(lead.owner)}
    teams = _teams_reps(team_ids={rule.team_id for rule in matched.values() if rule is not None})
    # The round-robin stamp is strictly the latest of the team, so that a rep goes to the back of
    # the line even when several leads share one `now` or workers' clocks differ a bit.
    latest = dict(User.objects.filter(team_id__in=list(teams)).order_by().values("team_id")
                  .annotate(latest=Max("last_lead_assigned_at")).values_list("team_id", "latest")) if teams else {}
    managers: dict[int, User | None] = {}
    assignments, notices, turned = [], [], {}
    updated_at = timezone.now()
    for lead in leads:
        previous_owner_id = lead.owner_id
        if lead.pk not in matched:  # e.g. a rep who entered it keeps it
            owner = lead.owner
            reason = _in_default_language(lambda owner=owner: Message(
                gettext_noop("Already owned by %(rep)s; routing kept the owner and started the first-touch clock"),
                {"rep": str(owner)}).render(gettext))
            rep, rule_id = owner, None
        else:
            rule = matched[lead.pk]
            reps = teams.get(rule.team_id, {}) if rule else {}
            decision = decide_route(lead=facts[lead.pk], rules=rules,
                                    reps_by_team={rule.team_id: [spec for _, spec in reps.values()]} if rule else {})
            reason = _in_default_language(lambda decision=decision: decision.reason_text(gettext))
            rep, rule_id = (reps[decision.rep_id][0] if decision.rep_id else None), decision.rule_id
            if rep is not None:
                stamp = now
                team_latest = latest.get(rep.team_id)
                if rep.team_id and team_latest is not None and team_latest >= stamp:
                    stamp = team_latest + timedelta(microseconds=1)
                latest[rep.team_id] = rep.last_lead_assigned_at = stamp
                turned[rep.pk] = rep
                user, spec = reps[rep.pk]
                reps[rep.pk] = (user, replace(spec, last_lead_assigned_at=stamp, open_leads=spec.open_leads + (
                    0 if previous_owner_id == rep.pk else 1)))
            for team in teams.values():  # a lead taken from another of these reps lightens their load
                if previous_owner_id in team and previous_owner_id != getattr(rep, "pk", None):
                    user, spec = team[previous_owner_id]
                    team[previous_owner_id] = (user, replace(spec, open_leads=spec.open_leads - 1))
            if rep is None and rule is not None:
                if rule.id not in managers:
                    managers[rule.id] = RoutingRule.objects.select_related("team__manager").get(pk=rule.id).team.manager
                if managers[rule.id] is not None:
                    notices.append({"recipient": managers[rule.id], "kind": "lead_queued", "url": reverse("leads:queue"),
                                    "params": {"lead": lead.name, "rule": rule.name},
                                    "text": gettext_noop("Lead %(lead)s matched rule '%(rule)s' but no rep of your team "
                                                         "is available: it waits in the managers' queue.")})
        _set_owner(lead=lead, rep=rep, now=now)
        lead.updated_at = updated_at
        assignments.append(Assignment(lead=lead, rep=rep, previous_owner_id=previous_owner_id, assigned_by=None,
                                      rule_id=rule_id, reason=reason))
        if rep is not None and rule_id is not None:
            notices.append(_assigned_notice(lead=lead, rep=rep, reason=reason))
    # One UPDATE per distinct set of values (about one per rep), not per lead: Django's bulk_update
    # builds a CASE per row and field, which costs more than the rows it writes.
    groups: dict[tuple, list[int]] = {}
    for lead in leads:
        key = (lead.owner_id, lead.assigned_at, lead.first_touch_due_at, lead.first_touched_at)
        groups.setdefault(key, []).append(lead.pk)
    for (owner_id, assigned_at, due_at, touched_at), ids in groups.items():
        Lead.objects.filter(pk__in=ids).update(
            owner_id=owner_id, assigned_at=assigned_at, first_touch_due_at=due_at, first_touched_at=touched_at,
            sla_breached_at=None, pool_warning_at=None, version=F("version") + 1, updated_at=updated_at)
    for rep in turned.values():
        User.objects.filter(pk=rep.pk).update(last_lead_assigned_at=rep.last_lead_assigned_at)
    notify_all(notifications=notices)
    return Assignment.objects.bulk_create(assignments)


def leads_route(*, lead_ids: Iterable[int], now: datetime | None = None, batch_size: int = ROUTE_BATCH_SIZE,
                on_progress=None) -> list[Assignment]:
    """Route leads that reached the top grade, `batch_size` leads per transaction (each batch
    commits on its own and reads the reps' loads once). `on_progress(done, total)` is called after
    each batch. Returns the new assignment rows."""
    rules = _rule_specs()
    ids = sorted({int(pk) for pk in lead_ids})
    done: list[Assignment] = []
    for start in range(0, len(ids), batch_size):
        with transaction.atomic():
            done += _route_batch(lead_ids=ids[start:start + batch_size], rules=rules, now=now or timezone.now())
        if on_progress is not None:
            on_progress(min(start + batch_size, len(ids)), len(ids))
    return done


# --- manual assignment and first touch ---------------------------------------------------------

def _assignment_text(*, by: User | None, note: str = "", reason: str = "") -> str:
    """The audit reason, rendered in the default language: "Assigned by X: <note>; <reason>"."""
    def text():
        base = gettext("Assigned by %(by)s") % {"by": str(by)} if by else gettext("Assigned")
        extra = "; ".join(part for part in (gettext(note) if note else "", reason) if part)
        return f"{base}: {extra}" if extra else base

    return _in_default_language(text)


def lead_record_assignment(*, lead: Lead, rep: User, by: User | None, reason: str = "", note: str = "",
                           now: datetime | None = None, take_turn: bool = False) -> Assignment:
    """Write an owner change whose permission the caller checked, on a locked (or just created) lead:
    the owner and a fresh first-touch SLA, the audit row, notifications. `reason` is the user's text;
    `note` a gettext_noop text, stored rendered in the default language."""
    now = now or timezone.now()
    audit = _assignment_text(by=by, note=note, reason=reason)
    previous_owner = lead.owner
    assignment = _apply_assignment(lead=lead, rep=rep, by=by, rule_id=None, reason=audit, now=now,
                                   take_turn=take_turn)
    if by is None or rep.pk != by.pk:
        _notify_assigned(lead=lead, rep=rep, reason=audit)
    if previous_owner is not None and previous_owner.pk not in (getattr(by, "pk", None), rep.pk):
        notify(recipient=previous_owner, kind="lead_reassigned", url="",
               params={"lead": lead.name, "rep": str(rep), "by": str(by)},
               text=gettext_noop("Lead %(lead)s was reassigned to %(rep)s by %(by)s."))
    return assignment


def leads_record_owners(*, lead_ids: Iterable[int], by: User | None, note: str = "",
                        now: datetime | None = None) -> int:
    """Set-based twin of `lead_record_assignment` for leads just created in bulk (imports): each
    owned lead gets its audit row and a first-touch SLA; each owner one notification with the count.
    The caller checked who may own what (teams.predicates.can_assign_lead). Returns the rows written."""
    now = now or timezone.now()
    owned = Lead.objects.filter(pk__in=list(lead_ids), owner__isnull=False)
    audit = _assignment_text(by=by, note=note)
    with transaction.atomic():
        rows = list(owned.select_for_update().values_list("pk", "owner_id"))
        owned.update(assigned_at=now, first_touch_due_at=now + first_touch_sla(), first_touched_at=None,
                     sla_breached_at=None, pool_warning_at=None, version=F("version") + 1, updated_at=timezone.now())
        Assignment.objects.bulk_create([Assignment(lead_id=pk, rep_id=owner_id, assigned_by=by, reason=audit)
                                        for pk, owner_id in rows])
        leads_notify_new_owners(counts=Counter(owner_id for _pk, owner_id in rows), by=by)
    return len(rows)


def leads_notify_new_owners(*, counts: Counter, by: User | None) -> None:
    """One notification per owner (but `by` themself) with the number of leads just given to them."""
    counts = {owner_id: n for owner_id, n in counts.items() if n and owner_id != getattr(by, "pk", None)}
    for owner in User.objects.filter(pk__in=list(counts)):
        notify(recipient=owner, kind="leads_assigned", url=reverse("leads:list") + f"?owner={owner.pk}",
               params={"count": counts[owner.pk], "by": str(by or "-")},
               text=gettext_noop("%(count)s new leads were assigned to you by %(by)s."))


def leads_record_imported_owners(*, leads: QuerySet, by: User | None, note: str = "",
                                 now: datetime | None = None) -> Counter:
    """The audit rows of `leads` just inserted in bulk with their owner and first-touch SLA already
    set (an import writes `assigned_at`/`first_touch_due_at` with the rows: no second UPDATE of
    them): one INSERT ... SELECT, no object per row. Returns owner id -> leads, for one
    `leads_notify_new_owners` when the whole import is written."""
    from django.db import connection
    from django.db.models import Value
    from django.db.models import fields as model_fields

    owned = leads.filter(owner__isnull=False).order_by()
    select = owned.annotate(
        _rep=F("owner_id"), _by=Value(getattr(by, "pk", None), output_field=model_fields.BigIntegerField()),
        _reason=Value(_assignment_text(by=by, note=note), output_field=model_fields.TextField()),
        _at=Value(now or timezone.now(), output_field=model_fields.DateTimeField()),
    ).values("pk", "_rep", "_by", "_reason", "_at")
    sql, params = select.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {Assignment._meta.db_table} (lead_id, rep_id, assigned_by_id, reason, created_at)"
                       f" {sql}", params)
    return Counter(dict(owned.values_list("owner_id").annotate(n=Count("pk")).values_list("owner_id", "n")))


def leads_record_imported_owners_from(*, relation: str, by: User | None, note: str = "",
                                      now: datetime | None = None) -> Counter:
    """leads_record_imported_owners for leads still held in `relation`, a table shaped like
    leads_lead (a lead import's temporary table, inserted into leads_lead in the same
    transaction): the same audit rows — leads with an owner that the source does not record as
    converted — in one INSERT ... SELECT, and the same owner id -> leads count."""
    from django.db import connection

    owned = f"FROM {relation} t WHERE t.owner_id IS NOT NULL AND t.imported_converted IS NOT TRUE"
    when = connection.ops.adapt_datetimefield_value(now or timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {Assignment._meta.db_table} (lead_id, rep_id, assigned_by_id, reason, created_at)"
                       f" SELECT t.id, t.owner_id, %s, %s, %s {owned} ORDER BY t.id",
                       [getattr(by, "pk", None), _assignment_text(by=by, note=note), when])
        cursor.execute(f"SELECT t.owner_id, COUNT(*) {owned} GROUP BY t.owner_id")
        return Counter(dict(cursor.fetchall()))


def lead_assign_locked(*, lead: Lead, rep: User | None, by: User, reason: str = "",
                       now: datetime | None = None) -> Assignment:
    """(Re)assign a lead locked by the caller. Who may hand which lead to whom is one rule:
    teams.predicates.can_assign_lead."""
    reason = (reason or "").strip()
    if not can_assign_lead(by, lead):
        raise PermissionDenied(gettext("You cannot assign this lead."))
    if rep is None or not can_assign_lead(by, lead, rep):
        raise ValidationError({"rep": gettext("You cannot assign leads to this user.")})
    if lead.status in CLOSED_STATUSES:
        raise ValidationError(gettext("Converted or disqualified leads cannot be reassigned."))
    if lead.owner_id == rep.pk:
        raise ValidationError({"rep": gettext("This user already owns the lead.")})
    if len(reason) > 1000:
        raise ValidationError({"reason": gettext("Keep the reason under 1000 characters.")})
    return lead_record_assignment(lead=lead, rep=rep, by=by, reason=reason, now=now, take_turn=True)


def lead_assign(*, lead: Lead, rep: User | None, by: User, reason: str = "", now: datetime | None = None,
                expected_version: int | None = None) -> Lead:
    """Make `rep` the owner of `lead` (managers and admins; rule: teams.predicates.can_assign_lead)."""
    from .core import lead_lock

    if not can_work_lead_queue(by):
        raise PermissionDenied(gettext("Only managers and administrators can assign leads."))
    with transaction.atomic():
        locked = lead_lock(lead=lead, expected_version=expected_version)
        lead_assign_locked(lead=locked, rep=rep, by=by, reason=reason, now=now)
    return locked


def lead_touch(*, lead: Lead, by: User, now: datetime | None = None) -> Lead:
    """The owner records the first contact: sets first_touched_at once and moves new -> working."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = Lead.objects.select_for_update().filter(pk=lead.pk).first()
        if locked is None or locked.owner_id is None or locked.owner_id != getattr(by, "pk", None):
            raise PermissionDenied(gettext("Only the lead's owner can record the first contact."))
        fields = []
        if locked.first_touched_at is None:
            locked.first_touched_at = now
            fields.append("first_touched_at")
        if locked.status == Lead.Status.NEW:
            locked.status = Lead.Status.WORKING
            fields.append("status")
        if fields:
            locked.version += 1
            locked.save(update_fields=[*fields, "version", "updated_at"])
    return locked


# --- periodic sweeps ------------------------------------------------------------------------------

def _untouched_owned() -> QuerySet[Lead]:
    return (Lead.objects.filter(owner__isnull=False, first_touched_at__isnull=True, assigned_at__isnull=False)
            .exclude(status__in=CLOSED_STATUSES))


def _locked_batch(queryset: QuerySet[Lead]) -> list[int]:
    return list(queryset.select_for_update().order_by("pk").values_list("pk", flat=True)[:BATCH_SIZE])


def leads_flag_sla_breaches(*, now: datetime | None = None) -> int:
    """Flag owned leads past their first-touch due time (once) and escalate to the owner's manager."""
    now = now or timezone.now()
    candidates = _untouched_owned().filter(first_touch_due_at__lt=now, sla_breached_at__isnull=True)
    flagged = 0
    while True:
        with transaction.atomic():
            ids = _locked_batch(candidates)
            if not ids:
                return flagged
            Lead.objects.filter(pk__in=ids).update(sla_breached_at=now, updated_at=timezone.now())
            for lead in Lead.objects.filter(pk__in=ids).select_related("owner__team__manager"):
                manager = lead.owner.team.manager if lead.owner.team_id else None
                if manager is None or manager.pk == lead.owner_id:
                    continue
                params = {"lead": lead.name, "rep": str(lead.owner), "due": _when(lead.first_touch_due_at)}
                notify(recipient=manager, kind="lead_sla_breached", url=_lead_url(lead), params=params,
                       text=gettext_noop("First-touch SLA breached: %(rep)s has not contacted lead %(lead)s "
                                         "(due %(due)s)."))
                email_user(recipient=manager,
                           params={**params, "name": str(manager), "url": _absolute(_lead_url(lead))},
                           subject=gettext_noop("First-touch SLA breached: %(lead)s"),
                           body=gettext_noop("Hello %(name)s,\n\n%(rep)s has not contacted the lead %(lead)s, "
                                             "which was due %(due)s.\n\n%(url)s\n"))
            flagged += len(ids)


def _publish_returned(*, ids: list[int], reason: str) -> None:
    """"lead.assigned" (to nobody: the pool) for a batch, set-based; the feed shows it to the previous owner."""
    from django.db.models import Value
    from django.db.models.functions import JSONObject

    from integrations.events import publish_rows

    publish_rows("lead.assigned", Lead.objects.filter(pk__in=ids), object_id="pk", owner_id="owner_id",
                 payload=JSONObject(lead=F("pk"), previous_owner=F("owner_id"), reason=Value(reason)))


def leads_return_to_pool(*, now: datetime | None = None) -> dict[str, int]:
    """Return leads untouched for LEADS_POOL_RETURN_DAYS since assignment to the pool (owner None),
    and warn their owners one day before (once). Returns {"returned": n, "warned": m}."""
    now = now or timezone.now()
    days = pool_return_days()
    return_before = now - timedelta(days=days)
    returned = warned = 0
    due = _untouched_owned().filter(assigned_at__lte=return_before)
    reason = _in_default_language(
        lambda: gettext("Returned to the pool: not contacted within %(days)s days of assignment") % {"days": days})
    while True:
        with transaction.atomic():
            ids = _locked_batch(due)
            if not ids:
                break
            leads = list(Lead.objects.filter(pk__in=ids).select_related("owner"))
            _publish_returned(ids=ids, reason=reason)
            Lead.objects.filter(pk__in=ids).update(owner=None, assigned_at=None, first_touch_due_at=None,
                                                   pool_warning_at=None, updated_at=now,
                                                   version=F("version") + 1)
            Assignment.objects.bulk_create([Assignment(lead=lead, rep=None, previous_owner=lead.owner, reason=reason)
                                            for lead in leads])
            for lead in leads:
                notify(recipient=lead.owner, kind="lead_returned_to_pool", url="",
                       params={"lead": lead.name, "days": days},
                       text=gettext_noop("Lead %(lead)s returned to the pool: it was not contacted within "
                                         "%(days)s days."))
            returned += len(ids)

    warn = _untouched_owned().filter(pool_warning_at__isnull=True, assigned_at__gt=return_before,
                                     assigned_at__lte=return_before + timedelta(days=1))
    while True:
        with transaction.atomic():
            ids = _locked_batch(warn)
            if not ids:
                break
            Lead.objects.filter(pk__in=ids).update(pool_warning_at=now, updated_at=timezone.now())
            for lead in Lead.objects.filter(pk__in=ids).select_related("owner"):
                notify(recipient=lead.owner, kind="lead_pool_warning", url=_lead_url(lead),
                       params={"lead": lead.name, "when": _when(lead.assigned_at + timedelta(days=days))},
                       text=gettext_noop("Lead %(lead)s returns to the pool on %(when)s unless you record a "
                                         "first contact."))
            warned += len(ids)
    return {"returned": returned, "warned": warned}
