"""Writes to sales and marketing spend (the CAC input). Pages, the API and the admin come through here;
who may is `teams.predicates.can_record_spend`. Each write locks its row and is audited."""
import re
from decimal import Decimal

from django.conf import settings
from django.contrib.admin.models import ADDITION, CHANGE, DELETION
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from teams.predicates import can_record_spend
from teams.services import audit_log, check_known_fields

from ..models import Spend

SPEND_FIELDS = ("month", "channel", "amount", "currency", "note")
CURRENCY = re.compile(r"^[A-Z]{3}$")


def _check_may(by) -> None:
    if not can_record_spend(by):
        raise PermissionDenied(_("You may not record sales and marketing spend."))


def _clean(spend: Spend) -> None:
    errors = {}
    if spend.month and spend.month.day != 1:
        spend.month = spend.month.replace(day=1)  # any day names its month
    if spend.currency and not CURRENCY.match(spend.currency):
        errors["currency"] = [_("Give a three-letter currency code such as CNY or USD.")]
    if spend.amount is not None and Decimal(spend.amount) < 0:
        errors["amount"] = [_("Spend cannot be negative.")]
    if errors:
        raise ValidationError(errors)
    spend.full_clean(validate_constraints=False)
    if Spend.objects.filter(month=spend.month, channel=spend.channel, currency=spend.currency
                            ).exclude(pk=spend.pk).exists():
        raise ValidationError({"month": [_("Spend for this month, channel and currency is already recorded; "
                                           "change that entry instead.")]})


def _save(spend: Spend) -> Spend:
    try:
        with transaction.atomic():
            spend.save()
    except IntegrityError:  # recorded by someone else meanwhile
        raise ValidationError({"month": [_("Spend for this month, channel and currency is already recorded; "
                                           "change that entry instead.")]}) from None
    return spend


@transaction.atomic
def spend_record(*, by, **fields) -> Spend:
    _check_may(by)
    check_known_fields(fields, SPEND_FIELDS)
    fields.setdefault("currency", settings.DEFAULT_CURRENCY)
    spend = Spend(recorded_by=by if getattr(by, "pk", None) else None, **fields)
    _clean(spend)
    _save(spend)
    audit_log(by=by, objects=[spend], flag=ADDITION)
    return spend


@transaction.atomic
def spend_update(*, spend: Spend, by, **fields) -> Spend:
    _check_may(by)
    check_known_fields(fields, SPEND_FIELDS)
    spend = Spend.objects.select_for_update().get(pk=spend.pk)
    for name, value in fields.items():
        setattr(spend, name, value)
    _clean(spend)
    _save(spend)
    audit_log(by=by, objects=[spend], flag=CHANGE, fields=list(fields))
    return spend


@transaction.atomic
def spend_delete(*, spend: Spend, by) -> None:
    _check_may(by)
    spend = Spend.objects.select_for_update().get(pk=spend.pk)
    pk = spend.pk
    spend.delete()
    spend.pk = pk
    audit_log(by=by, objects=[spend], flag=DELETION, message=str(spend))


def spends_delete(*, spends, by) -> int:
    _check_may(by)
    count = 0
    for spend in list(spends):
        spend_delete(spend=spend, by=by)
        count += 1
    return count
