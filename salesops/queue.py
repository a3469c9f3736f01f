"""Queueing background work so that a write never fails because the broker is away.

Work that must not be lost is recorded durably by the service in its own transaction (for
example Lead.rescore_needed_at, or a pending RescoreJob); the task sent here only makes it happen
sooner. If the broker cannot take the message, the failure is logged and the caller carries on:
a periodic sweep finds the recorded work once the broker is back.
"""
import logging

from django.db import transaction
from kombu.exceptions import OperationalError as KombuOperationalError

logger = logging.getLogger(__name__)

try:  # the Redis client is installed with the Redis transport; its errors are not OSErrors
    from redis.exceptions import RedisError
except ImportError:  # pragma: no cover - another transport
    RedisError = KombuOperationalError

BROKER_ERRORS = (KombuOperationalError, RedisError, ConnectionError, TimeoutError, OSError)


def enqueue(task, *args, **kwargs) -> bool:
    """Send `task` now, without retrying; False (and a warning in the log) if the broker is away."""
    try:
        # fire and forget: nobody waits for the result, so the result backend is not touched here
        task.apply_async(args=args, kwargs=kwargs, retry=False, ignore_result=True)
    except BROKER_ERRORS as exc:
        logger.warning("broker unavailable: %s not queued (%s: %s); the periodic sweep will catch up",
                       task.name, exc.__class__.__name__, exc)
        return False
    return True


def enqueue_on_commit(task, *args, **kwargs) -> None:
    """Send `task` once the current transaction commits (never before), as enqueue() does."""
    transaction.on_commit(lambda: enqueue(task, *args, **kwargs))


def enqueue_later(task, *args, countdown: int = 0, **kwargs) -> bool:
    """enqueue() with a delay in seconds (a retry's back-off); False if the broker is away."""
    try:
        task.apply_async(args=args, kwargs=kwargs, countdown=countdown, retry=False, ignore_result=True)
    except BROKER_ERRORS as exc:
        logger.warning("broker unavailable: %s not queued (%s: %s); the periodic sweep will catch up",
                       task.name, exc.__class__.__name__, exc)
        return False
    return True
