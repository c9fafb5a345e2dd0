"""Slowing, then locking out, repeated failed admin logins, per IP and per username.

Counts live in the shared cache, so every server sees them. After ``LOGIN_SLOW_AFTER``
failures each further try must wait twice as long as the last; after ``LOGIN_LOCK_AFTER`` the
IP or username is locked out for ``LOGIN_LOCK_SECONDS``.
"""

import hashlib
import math
import time

from django.conf import settings
from django.core.cache import cache


def _keys(ip: str, username: str) -> list[str]:
    name = hashlib.sha256(username.strip().lower().encode()).hexdigest()[:32]
    return [f"login-fail:ip:{ip}", f"login-fail:user:{name}"]


def wait_seconds(ip: str, username: str) -> int:
    """How long this IP or username must wait before it may try again (0: now)."""
    now = time.time()
    wait = 0.0
    for record in cache.get_many(_keys(ip, username)).values():
        count, last = record["count"], record["last"]
        if count >= settings.LOGIN_LOCK_AFTER:
            wait = max(wait, last + settings.LOGIN_LOCK_SECONDS - now)
        elif count >= settings.LOGIN_SLOW_AFTER:
            wait = max(wait, last + 2 ** (count - settings.LOGIN_SLOW_AFTER) - now)
    return math.ceil(wait) if wait > 0 else 0


def record_failure(ip: str, username: str) -> None:
    for key in _keys(ip, username):
        record = cache.get(key) or {"count": 0}
        cache.set(
            key,
            {"count": record["count"] + 1, "last": time.time()},
            timeout=settings.LOGIN_LOCK_SECONDS,
        )


def clear(ip: str, username: str) -> None:
    cache.delete_many(_keys(ip, username))
