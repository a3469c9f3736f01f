"""Integration key format and hashing (pure). A key reads `so_<prefix>_<secret>`; only the prefix
(to find the row) and the SHA-256 of the whole key are stored."""
import hashlib
import hmac
import secrets

KEY_PREFIX = "so_"
SCOPES = (
    "leads:read", "leads:write", "events:write", "deals:read", "deals:write",
    "accounts:read", "accounts:write", "changes:read", "webhooks:manage",
)


def new_key() -> tuple[str, str, str]:
    """(full key, prefix, hash) for a new key."""
    prefix = secrets.token_hex(6)
    key = f"{KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    return key, prefix, hash_key(key)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def split_key(key: str) -> str | None:
    """The prefix of a well-formed key, else None."""
    if not key.startswith(KEY_PREFIX):
        return None
    prefix, _sep, secret = key[len(KEY_PREFIX):].partition("_")
    if len(prefix) != 12 or not secret:
        return None
    return prefix


def matches(key: str, key_hash: str) -> bool:
    return hmac.compare_digest(hash_key(key), key_hash)
