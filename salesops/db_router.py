"""Send the reads of dashboards and reports to a read replica.

`DATABASE_REPLICA_URL` (settings) defines a second database alias, "replica"; without it there is
no second alias and everything reads the primary. Code that only reads figures marks its work with
`replica_reads()` (a context manager) or `@reads_from_replica` (a view decorator): inside it, this
router sends reads to "replica". Everything else, and every write, goes to "default", so a page that
writes never reads its own write from a lagging replica.

Tests: the "replica" alias is a TEST MIRROR of "default" (no second test database is created) and
settings_test turns routing off (`READ_REPLICA_ROUTING = False`): a mirror is a second connection that
would not see the rows a test wrote inside its transaction.
"""
from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps

from django.conf import settings

REPLICA = "replica"
PRIMARY = "default"

_reading: ContextVar[bool] = ContextVar("replica_reads", default=False)


def replica_enabled() -> bool:
    return REPLICA in settings.DATABASES and getattr(settings, "READ_REPLICA_ROUTING", True)


@contextmanager
def replica_reads():
    """Reads inside go to the replica (when one is configured)."""
    token = _reading.set(True)
    try:
        yield
    finally:
        _reading.reset(token)


def reads_from_replica(view):
    """A view (function) whose reads go to the replica: dashboards, reports, the metrics API."""
    @wraps(view)
    def wrapper(*args, **kwargs):
        with replica_reads():
            return view(*args, **kwargs)
    return wrapper


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        return REPLICA if _reading.get() and replica_enabled() else PRIMARY

    def db_for_write(self, model, **hints):
        return PRIMARY  # also for an instance read from the replica

    def allow_relation(self, obj1, obj2, **hints):
        return {obj1._state.db, obj2._state.db} <= {PRIMARY, REPLICA, None} or None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return False if db == REPLICA else None  # the replica follows the primary's schema by replication
