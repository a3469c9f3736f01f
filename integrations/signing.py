"""Webhook signatures (pure): `X-SalesOps-Signature: t=<unix time>,v1=<hex HMAC-SHA256>` where the
HMAC is over "<t>.<raw body>" with the subscription's secret. Receivers recompute it, compare in
constant time and refuse timestamps older than a few minutes (replays)."""
import hashlib
import hmac
import time

SIGNATURE_HEADER = "X-SalesOps-Signature"
TOLERANCE_SECONDS = 300


def sign(secret: str, body: bytes, timestamp: int) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def verify(secret: str, body: bytes, header: str, *, now: float | None = None,
           tolerance: int = TOLERANCE_SECONDS) -> bool:
    """True when `header` is a valid, recent signature of `body` (what a receiver does)."""
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs((now if now is not None else time.time()) - timestamp) > tolerance:
        return False
    expected = sign(secret, body, timestamp).split("v1=", 1)[1]
    return hmac.compare_digest(expected, parts.get("v1", ""))


def backoff_seconds(attempt: int, *, base: int = 30, cap: int = 6 * 3600) -> int:
    """Seconds to wait after failed attempt number `attempt` (1, 2, ...): 30 s, 1 min, 2 min, ... ≤ 6 h."""
    return min(cap, base * 2 ** max(0, attempt - 1))
