"""Bounds for every date and time a user can type: one rule for the API, filters, pages and admin.

Far dates are not just odd input: `date.max + 1 day` raises OverflowError in Python, year 1 minus
a time zone offset is year 0 (which PostgreSQL stores as 1 BC and psycopg cannot read back), and a
period arithmetic helper may step past either end. So every date entered anywhere must lie in
MIN_DATE..MAX_DATE (1900–2100); behaviour events, which are facts that happened, are further held
to EVENT_EARLIEST (1970) .. now + EVENT_FUTURE_TOLERANCE (one day, for clock skew).

`install()` (called once from `salesops.apps.SalesOpsConfig.ready`) adds `validate_date_in_range`
to the default validators of Django's and DRF's date and date-time fields, so every form, ModelForm,
admin form, django-filter FilterSet and DRF serializer field -- including ones written later --
refuses a date outside the range with a translated 400 / form error. Hand-parsed values (e.g. the
event ingest service) call `validate_date_in_range` / `validate_event_time` themselves.
"""
from datetime import UTC, date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MIN_DATE = date(1900, 1, 1)
MAX_DATE = date(2100, 12, 31)
EVENT_EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
EVENT_FUTURE_TOLERANCE = timedelta(days=1)

OUT_OF_RANGE = _("Enter a date between %(min)s and %(max)s.")


def _as_date(value) -> date:
    return value.date() if isinstance(value, datetime) else value


def date_in_range(value) -> bool:
    """True for a date (or datetime) within MIN_DATE..MAX_DATE."""
    return MIN_DATE <= _as_date(value) <= MAX_DATE


def validate_date_in_range(value) -> None:
    """A validator for any date or datetime input: outside 1900–2100 is a ValidationError."""
    if isinstance(value, date) and not date_in_range(value):
        raise ValidationError(OUT_OF_RANGE, code="date_out_of_range",
                              params={"min": MIN_DATE.isoformat(), "max": MAX_DATE.isoformat()})


def validate_event_time(value: datetime, *, now: datetime | None = None) -> None:
    """A behaviour event happened: not before 1970 and at most a day ahead of now."""
    now = now or timezone.now()
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    if value < EVENT_EARLIEST:
        raise ValidationError(_("The event cannot be before 1970."), code="event_too_early")
    if value > now + EVENT_FUTURE_TOLERANCE:
        raise ValidationError(_("The event cannot be in the future."), code="event_in_future")


def install() -> None:
    """Make `validate_date_in_range` a default validator of every date and date-time field class.

    Django form fields combine `default_validators` with the ones passed in; DRF fields use
    `default_validators` unless a field is given an explicit `validators=` list (ModelSerializer
    passes one only when the model field has validators of its own; add this one there too).
    """
    from django import forms
    from rest_framework import fields

    for field_class in (forms.DateField, forms.DateTimeField, fields.DateField, fields.DateTimeField):
        if validate_date_in_range not in field_class.default_validators:
            field_class.default_validators = [*field_class.default_validators, validate_date_in_range]
