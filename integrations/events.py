"""The event-type registry and publishing: how leads, customers and pipeline report changes to the
change feed and to webhook subscribers without integrations importing them.

An app registers its event types in `AppConfig.ready()` (through its registry.py):
`register("lead.created", label=gettext_lazy("Lead created"), object_type="lead")`.
A service then calls, inside its transaction, `publish("lead.created", object_id=lead.pk,
owner_id=lead.owner_id, payload={...})` for one change, or `publish_rows(event_type, queryset)`
for a set-based batch (one INSERT ... SELECT, whatever the number of rows).

The change rows are written in the caller's transaction (an outbox: a rolled-back change publishes
nothing); the webhook deliveries are created set-based in the same transaction and sent by Celery
once it commits (integrations.tasks).
"""
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import F, QuerySet, Value
from django.db.models import fields as model_fields
from django.db.models.functions import Cast
from django.utils import timezone


@dataclass(frozen=True)
class EventType:
    code: str
    label: Callable[[], str] | str
    object_type: str


_types: dict[str, EventType] = {}


def register(code: str, *, label, object_type: str) -> None:
    """Add (or replace: ready() may run more than once) an event type."""
    _types[code] = EventType(code=code, label=label, object_type=object_type)


def event_types() -> list[EventType]:
    return sorted(_types.values(), key=lambda t: t.code)


def choices() -> list[tuple[str, str]]:
    return [(t.code, str(t.label)) for t in event_types()]


def _check(event_type: str) -> EventType:
    if event_type not in _types:
        raise ValueError(f"Unknown event type {event_type!r}: register it in the app's registry.py")
    return _types[event_type]


def publish(event_type: str, *, object_id: int, owner_id: int | None = None, payload: dict | None = None) -> int:
    """Record one change (in the caller's transaction) and queue its webhooks for after the commit."""
    from .models import ChangeEvent

    kind = _check(event_type)
    event = ChangeEvent.objects.create(event_type=event_type, object_type=kind.object_type, object_id=object_id,
                                       owner_id=owner_id, payload=payload or {})
    _fan_out(event_types={event_type}, after=event.pk - 1, upto=event.pk)
    return event.pk


def publish_rows(event_type: str, rows: QuerySet, *, object_id: str, owner_id: str | None, payload) -> int:
    """Record one change per row of `rows`, set-based: `INSERT INTO ... SELECT` from the queryset.

    `object_id` and `owner_id` name columns of `rows`; `payload` is an expression evaluated per row
    (e.g. `JSONObject(score=F("score"), grade=F("grade"))`). Returns the number of changes recorded."""
    select = rows.order_by().annotate(
        _oid=F(object_id),
        # typed: a bare NULL inside publish_select's derived table would be text to PostgreSQL
        _owner=F(owner_id) if owner_id else Cast(Value(None), model_fields.BigIntegerField()),
        _payload=payload,
    ).values("_oid", "_owner", "_payload")
    sql, params = select.query.sql_with_params()
    return publish_select(event_type, sql, params)


def publish_select(event_type: str | tuple[str, ...], sql: str, params) -> int:
    """Record one change per row of a SELECT (its columns, in this order: object id, owner id or
    NULL, payload as jsonb), set-based, as publish_rows does — for rows a service holds outside a
    model's table (a lead import's temporary table). With a tuple of event types (of one object
    type), the SELECT's first column is each row's event type, one of them: several kinds of change
    recorded by one statement, in the SELECT's order (a payload they share is built once). Returns
    the number of changes recorded."""
    from .models import ChangeEvent

    types = (event_type,) if isinstance(event_type, str) else tuple(event_type)
    kinds = {_check(code).object_type for code in types}
    if len(kinds) != 1:
        raise ValueError(f"Event types {types!r} are of different object types")
    now = timezone.now()
    table = ChangeEvent._meta.db_table
    marker = ChangeEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    when = connection.ops.adapt_datetimefield_value(now)
    with connection.cursor() as cursor:
        if isinstance(event_type, str):
            cursor.execute(f"INSERT INTO {table} (event_type, object_type, object_id, owner_id, payload, created_at)"
                           f" SELECT %s, %s, r.*, %s FROM ({sql}) AS r", [event_type, kinds.pop(), when, *params])
        else:
            cursor.execute(f"INSERT INTO {table} (event_type, object_id, owner_id, payload, object_type, created_at)"
                           f" SELECT r.*, %s, %s FROM ({sql}) AS r", [kinds.pop(), when, *params])
        count = cursor.rowcount
    if count:  # this batch's rows: after the marker, with this batch's timestamp (not a concurrent batch's)
        _fan_out(event_types=set(types), after=marker, upto=None, created_at=now)
    return count


def _fan_out(*, event_types: set[str], after: int, upto: int | None, created_at=None) -> None:
    """Create the pending deliveries of the new events (one INSERT per matching subscription) and
    send them once the transaction commits."""
    from .models import ChangeEvent, Delivery, Subscription

    subscriptions = [s for s in Subscription.objects.filter(is_active=True).only("pk", "event_types")
                     if event_types & set(s.event_types or ())]
    if not subscriptions:
        return
    now = timezone.now()
    events = ChangeEvent.objects.filter(pk__gt=after)
    if upto is not None:
        events = events.filter(pk__lte=upto)
    if created_at is not None:
        events = events.filter(created_at=created_at)
    table = Delivery._meta.db_table
    created = 0
    for subscription in subscriptions:
        select = events.filter(event_type__in=sorted(event_types & set(subscription.event_types))).order_by().annotate(
            _sub=Value(subscription.pk, output_field=model_fields.BigIntegerField()),
            _st=Value(Delivery.Status.PENDING, output_field=model_fields.CharField()),
            _zero=Value(0, output_field=model_fields.IntegerField()),
            _at=Value(now, output_field=model_fields.DateTimeField()),
            _eid=F("pk"),
            _excerpt=Value("", output_field=model_fields.CharField()),
            _reason=Value("", output_field=model_fields.CharField()),
            _created=Value(now, output_field=model_fields.DateTimeField()),
        ).values("_sub", "_eid", "_st", "_zero", "_at", "_excerpt", "_reason", "_created")
        sql, params = select.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {table} (subscription_id, event_id, status, attempts, next_attempt_at,"
                           f" response_excerpt, failure_reason, created_at) {sql}", params)
            created += cursor.rowcount
    if created:
        from salesops.queue import enqueue

        from .tasks import webhooks_dispatch_task

        transaction.on_commit(lambda: enqueue(webhooks_dispatch_task))
