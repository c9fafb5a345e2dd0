"""A circuit breaker for Redis: after a failure, skip it for a few seconds instead of waiting.

A Redis that hangs (accepts connections and never answers) costs every cache call its socket
timeout, and a page makes many cache calls. So the first timeout or connection error opens the
breaker for ``CACHE_BREAKER_SECONDS``: meanwhile every call is refused at once with a redis
``ConnectionError``, which django-redis's ``IGNORE_EXCEPTIONS`` turns into a miss, and pages
render uncached. When the time is up, one call goes through as a probe: an answer closes the
breaker, another failure keeps it open for another period.

The state lives in this process (each gunicorn worker has its own), one breaker per Redis server.
The settings wire it in with ``CONNECTION_POOL_KWARGS["connection_class"]`` (see
``tipsite/settings/caches.py``).
"""

import logging
import threading
import time

from django.conf import settings
from redis.connection import Connection, SSLConnection, UnixDomainSocketConnection
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

# What says the server is away or hung; an error reply (ResponseError) is still an answer.
FAILURES = (RedisConnectionError, RedisTimeoutError)


class CacheSkipped(RedisConnectionError):
    """Raised instead of talking to a Redis that failed moments ago."""


class Breaker:
    """One server's breaker. ``open_until`` is 0 while closed, so the common case reads one
    attribute and takes no lock."""

    _all: dict[str, "Breaker"] = {}
    _all_lock = threading.Lock()

    def __init__(self, server: str):
        self.server = server
        self.open_until = 0.0
        self._lock = threading.Lock()

    @classmethod
    def for_server(cls, server: str) -> "Breaker":
        with cls._all_lock:
            if server not in cls._all:
                cls._all[server] = cls(server)
            return cls._all[server]

    def admit(self) -> None:
        """Refuse while open; once the period is over, let one call through to probe."""
        with self._lock:
            now = time.monotonic()
            if self.open_until and now < self.open_until:
                raise CacheSkipped(f"Redis at {self.server} is skipped after a failure")
            if self.open_until:
                # The others keep being refused while this call finds out.
                self.open_until = now + settings.CACHE_BREAKER_SECONDS

    def failed(self, error: Exception) -> None:
        with self._lock:
            opening = not self.open_until
            self.open_until = time.monotonic() + settings.CACHE_BREAKER_SECONDS
        if opening:
            logger.warning(
                "Redis at %s failed (%s): serving without the cache for %s s at a time "
                "until it answers",
                self.server,
                error,
                settings.CACHE_BREAKER_SECONDS,
            )

    def answered(self) -> None:
        with self._lock:
            closing = bool(self.open_until)
            self.open_until = 0.0
        if closing:
            logger.warning("Redis at %s answers again: using the cache", self.server)


class BreakerMixin:
    """Guards a redis-py connection with its server's breaker.

    The pool calls ``connect()`` each time it hands out a connection, connected or not, so that
    is where calls are refused; what the connection then sends and reads (the handshake
    included) reports failures and answers.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.breaker = Breaker.for_server(self._host_error())

    def connect(self):
        if self.breaker.open_until:
            self.breaker.admit()
        try:
            super().connect()
        except FAILURES as error:
            self._failed(error)
            raise

    def send_packed_command(self, command, check_health=True):
        try:
            super().send_packed_command(command, check_health=check_health)
        except FAILURES as error:
            self._failed(error)
            raise

    def read_response(self, *args, **kwargs):
        try:
            response = super().read_response(*args, **kwargs)
        except FAILURES as error:
            self._failed(error)
            raise
        if self.breaker.open_until:
            self.breaker.answered()
        return response

    def _failed(self, error: Exception) -> None:
        if not isinstance(error, CacheSkipped):
            self.breaker.failed(error)


class BreakerConnection(BreakerMixin, Connection):
    pass


class BreakerSSLConnection(BreakerMixin, SSLConnection):
    pass


class BreakerUnixConnection(BreakerMixin, UnixDomainSocketConnection):
    pass


def connection_class_for(url: str) -> type:
    """The guarded connection class for a Redis URL: a given class replaces the one redis-py
    would pick from the scheme, so TLS and unix sockets need their own."""
    if url.startswith("rediss://"):
        return BreakerSSLConnection
    if url.startswith("unix://"):
        return BreakerUnixConnection
    return BreakerConnection


class SkippedCallsFilter(logging.Filter):
    """Keeps django-redis from logging each call the breaker refused (it logs every ignored
    error); the failure that opened the breaker is still logged, by both."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        return not isinstance(getattr(error, "__cause__", None), CacheSkipped)
