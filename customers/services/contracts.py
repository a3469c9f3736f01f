"""Writes to contracts: create, change, end, delete, the renewal outcome and the renewal reminders.

Who: whoever may change the account (its sales owner, its success owner, their managers, admins)
creates, changes, ends and renews its contracts; support and product only read; deleting is
`teams.predicates.can_delete_contract`. Every change locks the contract row.

Meaning (retention, h6, reads these rows): `mrr` is the monthly recurring value of one contract in
its currency; a contract is *in force* while active and started. A renewal outcome is recorded once
per contract: renewed (successor, same MRR), expanded (successor, higher MRR), contracted (successor,
lower MRR) or churned (no successor; the contract ends now). The renewed contract stays active until
its end date passes (`contracts_close_renewed` ends it), its successor starts the day after.
"""
import calendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.admin.models import ADDITION, CHANGE as CHANGED
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, F, IntegerField, QuerySet, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _, gettext_noop

from salesops import formats
from teams.predicates import can_delete_contract
from teams.services import audit_log, check_known_fields, notify_all

from ..models import Account, Contract
from ..selectors import renewal_due_q
from .accounts import _check_account_access, _delete
from .activities import tasks_open
from .health import health_recompute_later

CONTRACT_FIELDS = ("product", "term", "start", "end", "mrr", "currency", "external_ref")
# Once the renewal outcome is recorded, retention depends on these: they no longer change.
FROZEN_AFTER_OUTCOME = ("product", "start", "end", "mrr", "currency", "term")
REMINDER_BATCH = 500


def validate_currency(code) -> str:
    """An ISO 4217 code from settings.CURRENCIES (upper-cased)."""
    allowed = list(getattr(settings, "CURRENCIES", None) or [settings.DEFAULT_CURRENCY])
    value = code.strip().upper() if isinstance(code, str) else code
    if value not in allowed:
        raise ValidationError({"currency": _("Unknown currency “%(code)s”; use one of: %(codes)s.")
                               % {"code": code, "codes": ", ".join(allowed)}})
    return value


def _save(contract: Contract) -> None:
    contract.currency = validate_currency(contract.currency)
    contract.full_clean()
    contract.save()


def _lock(contract: Contract) -> Contract:
    return Contract.objects.select_for_update().select_related("account").get(pk=contract.pk)


@transaction.atomic
def contract_create(*, by, account: Account, **fields) -> Contract:
    """A new active contract for `account` (whoever may change the account)."""
    check_known_fields(fields, CONTRACT_FIELDS)
    _check_account_access(by=by, account=account)
    fields.setdefault("currency", settings.DEFAULT_CURRENCY)
    contract = Contract(account=account, status=Contract.Status.ACTIVE, **fields)
    _save(contract)
    audit_log(by=by, objects=[contract], flag=ADDITION)
    health_recompute_later([account.pk])
    return contract


@transaction.atomic
def contract_update(*, contract: Contract, by, **fields) -> Contract:
    """Change a contract's terms; after its renewal outcome only `external_ref` changes. A new end
    date starts the 90/60/30-day reminders again."""
    fields.pop("account", None)  # a contract stays with its account
    check_known_fields(fields, CONTRACT_FIELDS)
    _check_account_access(by=by, account=contract.account)
    contract = _lock(contract)
    frozen = [name for name in FROZEN_AFTER_OUTCOME if name in fields and fields[name] != getattr(contract, name)]
    if (contract.outcome or contract.status != Contract.Status.ACTIVE) and frozen:
        raise ValidationError(_("This contract is ended or its renewal is recorded: its terms no longer change."),
                              code="contract_frozen")
    if "end" in fields and fields["end"] != contract.end:
        contract.last_reminder_days = None
    for name, value in fields.items():
        setattr(contract, name, value)
    _save(contract)
    health_recompute_later([contract.account_id])
    return contract


@transaction.atomic
def contract_end(*, contract: Contract, by, on: date | None = None, cancelled: bool = False) -> Contract:
    """End a contract early (or on its end date) without a renewal decision: status ended (or
    cancelled), `end` moved to `on` (default today) when that is earlier."""
    _check_account_access(by=by, account=contract.account)
    contract = _lock(contract)
    if contract.status != Contract.Status.ACTIVE:
        raise ValidationError(_("This contract has already ended."), code="contract_not_active")
    return _close(contract, by=by, on=on or timezone.localdate(),
                  status=Contract.Status.CANCELLED if cancelled else Contract.Status.ENDED)


def _close(contract: Contract, *, by, on: date, status: str, note: str = "") -> Contract:
    """End the (locked) contract on `on` (its end date only moves earlier), audit, queue health."""
    if on < contract.start:
        raise ValidationError({"end": _("A contract cannot end before it starts (%(start)s).")
                               % {"start": formats.date_text(contract.start)}})
    contract.status = status
    if contract.end is None or on < contract.end:
        contract.end = on
    _save(contract)
    audit_log(by=by, objects=[contract], flag=CHANGED, message=note or f"Contract {status} on {contract.end}.")
    health_recompute_later([contract.account_id])
    return contract


@transaction.atomic
def contracts_delete(*, contracts: QuerySet[Contract], by) -> int:
    """Delete contracts (admins; managers of the account's owners). A renewed contract's successor
    link is cleared with it."""
    account_ids = list(contracts.values_list("account_id", flat=True).distinct())
    count = _delete(rows=contracts.select_related("account__owner__team", "account__success_owner__team"), by=by,
                    may_delete=can_delete_contract, refused=_("You may not delete these contracts: %(names)s."),
                    describe=lambda locked: {c.pk: f"Contract {c.product} of {c.account}: MRR {c.mrr} {c.currency}, "
                                                   f"{c.start}–{c.end or '…'}, {c.status}." for c in locked})
    health_recompute_later(account_ids)
    return count


def contract_delete(*, contract: Contract, by) -> None:
    contracts_delete(contracts=Contract.objects.filter(pk=contract.pk), by=by)


# --- renewal outcome ---------------------------------------------------------------------------

def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


TERM_MONTHS = {Contract.Term.ONE_YEAR: 12, Contract.Term.TWO_YEAR: 24}


def renewal_period(*, start: date, term: str) -> date | None:
    """The end of a renewal starting on `start` for `term` (None for month-to-month; `other` has no default)."""
    months = TERM_MONTHS.get(term)
    return _add_months(start, months) - timedelta(days=1) if months else None


@transaction.atomic
def contract_record_renewal(*, contract: Contract, by, outcome: str, mrr: Decimal | None = None,
                            start: date | None = None, end: date | None = None, term: str | None = None,
                            on: date | None = None) -> Contract:
    """Record a contract's renewal outcome (once). Returns the successor, or the ended contract on churn.

    renewed: successor with the same MRR; expanded: a higher MRR; contracted: a lower, non-zero MRR;
    churned: no successor, the contract is ended now. A successor has the same account, product and
    currency, starts the day after the end (or `start`) and runs for `term` (default: the same)."""
    _check_account_access(by=by, account=contract.account)
    contract = _lock(contract)
    if contract.outcome:
        raise ValidationError(_("The renewal outcome of this contract is already recorded (%(outcome)s).")
                              % {"outcome": contract.get_outcome_display()}, code="renewal_recorded")
    if contract.status != Contract.Status.ACTIVE:
        raise ValidationError(_("This contract has already ended."), code="contract_not_active")
    if outcome not in Contract.Outcome.values:
        raise ValidationError({"outcome": _("Choose renewed, expanded, contracted or churned.")})
    on = on or timezone.localdate()
    contract.outcome, contract.outcome_at = outcome, on
    if outcome == Contract.Outcome.CHURNED:
        if mrr is not None or start is not None or end is not None or term is not None:
            raise ValidationError(_("A churned contract has no successor: give no new terms."))
        return _close(contract, by=by, on=max(on, contract.start), status=Contract.Status.ENDED,
                      note="Renewal churned: contract ended.")
    successor = _successor(contract, outcome=outcome, mrr=mrr, start=start, end=end, term=term)
    _save(successor)
    contract.renewed_by = successor
    _save(contract)
    audit_log(by=by, objects=[contract], flag=CHANGED,
              message=lambda row: f"Renewal {outcome}: contract {successor.pk}, MRR {row.mrr} → {successor.mrr}.")
    health_recompute_later([contract.account_id])
    return successor


def _successor(contract: Contract, *, outcome, mrr, start, end, term) -> Contract:
    old = contract.mrr
    if mrr is None:
        if outcome != Contract.Outcome.RENEWED:
            raise ValidationError({"mrr": _("Give the new monthly recurring value.")})
        mrr = old
    rule = {Contract.Outcome.RENEWED: (mrr == old, _("A renewal keeps the monthly recurring value (%(old)s); "
                                                     "record an expansion or a contraction instead.")),
            Contract.Outcome.EXPANDED: (mrr > old, _("An expansion needs a monthly recurring value above %(old)s.")),
            Contract.Outcome.CONTRACTED: (Decimal("0") < mrr < old,
                                          _("A contraction needs a monthly recurring value between 0 and %(old)s "
                                            "(0 is a churn)."))}
    ok, message = rule[outcome]
    if not ok:
        raise ValidationError({"mrr": message % {"old": old}})
    term = term or contract.term
    if start is None:
        start = contract.end + timedelta(days=1) if contract.end else timezone.localdate()
    if end is None:
        end = renewal_period(start=start, term=term)
        if end is None and term == Contract.Term.OTHER:
            raise ValidationError({"end": _("Give the end of the renewed contract.")})
    return Contract(account=contract.account, product=contract.product, term=term, start=start, end=end, mrr=mrr,
                    currency=contract.currency, status=Contract.Status.ACTIVE)


# --- reminders and the daily sweep -------------------------------------------------------------

@dataclass
class ReminderRun:
    reminded: int = 0
    closed: int = 0

    def as_dict(self) -> dict:
        return {"reminded": self.reminded, "closed": self.closed}


def _threshold_case(today: date) -> Case:
    """The reminder due now, from the days left: ≤30 → 30, ≤60 → 60, ≤90 → 90 (one SQL expression)."""
    days = sorted(settings.CUSTOMERS_RENEWAL_REMINDER_DAYS)
    return Case(*[When(end__lte=today + timedelta(days=d), then=Value(d)) for d in days],
                default=Value(None), output_field=IntegerField())


def _reminder_batch(*, today: date, batch_size: int) -> int:
    """Remind the owners of up to `batch_size` contracts whose next threshold is due; returns how many.

    Set-based: one statement selects (and locks, SKIP LOCKED, so two workers never take the same
    contract) the contracts whose current threshold is below their last reminder; their tasks
    (keyed: at most once) and notifications are inserted in one statement each, and one UPDATE
    records the thresholds, all in one transaction: a run that fails part-way records and sends
    nothing, a run that succeeds never repeats."""
    with transaction.atomic():
        due = (Contract.objects.filter(renewal_due_q(today=today, days=max(settings.CUSTOMERS_RENEWAL_REMINDER_DAYS)))
               .annotate(threshold=_threshold_case(today))
               .filter(threshold__isnull=False)
               .exclude(last_reminder_days__isnull=False, last_reminder_days__lte=F("threshold"))
               .select_related("account__owner", "account__success_owner")
               .select_for_update(of=("self",), skip_locked=True)
               .order_by("end", "id")[:batch_size])
        rows = list(due)
        reminders = [reminder for reminder in (_reminder(contract, today=today) for contract in rows) if reminder]
        tasks_open(tasks=[task for task, _notification in reminders])
        notify_all(notifications=[notification for _task, notification in reminders])
        if rows:
            Contract.objects.filter(pk__in=[c.pk for c in rows]).update(last_reminder_days=_threshold_case(today))
        return len(rows)


def _reminder(contract: Contract, *, today: date) -> tuple[dict, dict] | None:
    """The task and the notification for the contract's current threshold (None without an owner)."""
    account, days = contract.account, contract.threshold
    owner = account.success_owner or account.owner
    if owner is None:
        return None
    params = {"product": contract.product, "account": account.name, "end": contract.end.isoformat(), "days": days}
    task = {"owner": owner, "account": account, "key": f"renewal:{contract.pk}:{contract.end.isoformat()}:{days}",
            "summary": _("Renewal of %(product)s for %(account)s: the contract ends on %(end)s.") % params,
            "due_at": _due_at(max(today, min(contract.end, today + timedelta(days=14))))}
    notification = {"recipient": owner, "kind": "contract_renewal_due", "params": params,
                    "url": reverse("customers:contract-list") + f"?account={account.pk}",
                    "text": gettext_noop("The contract %(product)s of %(account)s ends on %(end)s "
                                         "(%(days)s-day renewal reminder).")}
    return task, notification


def _due_at(day: date):
    return timezone.make_aware(datetime.combine(day, time(9)))


def contracts_close_renewed(*, today: date) -> int:
    """Contracts whose renewal is recorded and whose end has passed: status ended (one statement)."""
    return Contract.objects.filter(status=Contract.Status.ACTIVE, end__lt=today).exclude(outcome="").update(
        status=Contract.Status.ENDED, updated_at=timezone.now())


def contracts_send_renewal_reminders(*, today: date | None = None, batch_size: int = REMINDER_BATCH,
                                     max_batches: int = 100) -> ReminderRun:
    """The daily job: at 90, 60 and 30 days before a contract's end, one task and one notification to
    the account's success owner (fallback: the sales owner). Each threshold at most once per contract
    and end date (`last_reminder_days`, and the task's key); a contract found late gets only its
    current threshold. Bounded: at most `max_batches` batches of `batch_size` per run."""
    today = today or timezone.localdate()
    run = ReminderRun(closed=contracts_close_renewed(today=today))
    for _batch in range(max_batches):
        done = _reminder_batch(today=today, batch_size=batch_size)
        run.reminded += done
        if done < batch_size:
            break
    return run
