"""A Redis that hangs costs a page one short wait, then is skipped until it answers again."""

import os
import socket
import threading
import time
import uuid
from urllib.parse import urlparse

import pytest
from django.core.cache import caches
from django.test import Client

from tests.factories import make_tip
from tests.servers import free_port
from tests.tools import require
from tipsite.cache_breaker import Breaker
from tipsite.settings.caches import redis_cache

pytestmark = pytest.mark.django_db

# The real Redis, for the part where it answers again (CI runs one; so does `make test`'s host).
REAL_REDIS = urlparse(os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0")


class StandInRedis:
    """A listener on a free port that accepts connections and never answers: a hung Redis.

    After ``recover()`` it passes new connections through to the real Redis instead. It counts
    the connections it gets; redis-py drops a connection after each timeout, so every wait a
    page makes is one more connection.
    """

    def __init__(self):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.05)
        self.port = self.listener.getsockname()[1]
        self.connections = 0
        self.recovered = False
        self.held: list[socket.socket] = []
        self.running = True
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while self.running:
            try:
                client, _ = self.listener.accept()
            except TimeoutError:
                continue
            self.connections += 1
            self.held.append(client)
            if self.recovered:
                upstream = socket.create_connection((REAL_REDIS.hostname, REAL_REDIS.port or 6379))
                self.held.append(upstream)
                for source, target in ((client, upstream), (upstream, client)):
                    threading.Thread(target=_pipe, args=(source, target), daemon=True).start()

    def recover(self) -> None:
        self.recovered = True

    def close(self) -> None:
        self.running = False
        self.thread.join()
        self.listener.close()
        for sock in self.held:
            sock.close()


def _pipe(source: socket.socket, target: socket.socket) -> None:
    try:
        while data := source.recv(65536):
            target.sendall(data)
    except OSError:
        pass  # the other side closed


def use_redis_at(settings, port: int) -> str:
    """Point the default cache at 127.0.0.1:``port`` with the site's own Redis options."""
    url = f"redis://127.0.0.1:{port}{REAL_REDIS.path or '/0'}"
    settings.CACHES = {"default": redis_cache(url, key_prefix=f"breaker-{uuid.uuid4().hex}")}
    settings.DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
    settings.PAGE_CACHE_SECONDS = 600
    return url


@pytest.fixture
def hung_redis(settings):
    stand_in = StandInRedis()
    use_redis_at(settings, stand_in.port)
    yield stand_in
    if stand_in.recovered:
        caches["default"].delete_pattern("*")  # this test's keys only, by their prefix
    stand_in.close()
    # A later test may get the same port: it starts with the breaker closed.
    Breaker.for_server(f"127.0.0.1:{stand_in.port}").open_until = 0.0


def test_a_hung_redis_costs_a_page_one_wait_and_healthz_names_the_cache(hung_redis, caplog):
    tip = make_tip(title="Served Without Its Cache")
    started = time.monotonic()
    page = Client().get(tip.get_absolute_url())
    took = time.monotonic() - started
    assert page.status_code == 200
    assert "Served Without Its Cache" in page.content.decode()
    assert hung_redis.connections == 1, "one wait, then every cache call is skipped"
    assert took < 1.5

    health = Client().get("/healthz")
    assert health.status_code == 503
    assert health.json() == {"database": "ok", "cache": "unavailable", "status": "unavailable"}
    assert hung_redis.connections == 1

    opened = [r for r in caplog.records if r.name == "tipsite.cache_breaker"]
    assert len(opened) == 1, "logged once when it opens, not for every skipped call"
    assert "serving without the cache" in opened[0].getMessage()
    ignored = [r for r in caplog.records if r.name == "django_redis.cache"]
    assert len(ignored) == 1, "django-redis logs the failure, not each skipped call"


def test_after_the_breaker_period_a_redis_that_answers_is_used_again(hung_redis, settings, caplog):
    try:
        socket.create_connection((REAL_REDIS.hostname, REAL_REDIS.port or 6379), timeout=1).close()
    except OSError:
        require(False, f"Redis at {REAL_REDIS.netloc}", "start redis-server or set REDIS_URL")
    settings.CACHE_BREAKER_SECONDS = 0.2
    tip = make_tip()
    assert Client().get(tip.get_absolute_url()).status_code == 200
    assert Client().get("/healthz").status_code == 503

    hung_redis.recover()
    time.sleep(0.3)  # the breaker's period runs out
    pages = [Client().get(tip.get_absolute_url()) for _ in range(2)]
    assert [p["X-Page-Cache"] for p in pages] == ["miss", "hit"], "the page was kept in Redis"
    assert Client().get("/healthz").json()["cache"] == "ok"
    assert hung_redis.connections == 2, "one hung connection, then one to the recovered Redis"
    messages = [r.getMessage() for r in caplog.records if r.name == "tipsite.cache_breaker"]
    assert len(messages) == 2
    assert "answers again" in messages[1]


def test_a_refused_port_serves_pages_uncached_and_healthz_names_the_cache(settings):
    port = free_port()
    use_redis_at(settings, port)
    tip = make_tip(title="No Redis Here")
    for _ in range(2):
        page = Client().get(tip.get_absolute_url())
        assert page.status_code == 200
        assert "No Redis Here" in page.content.decode()
    health = Client().get("/healthz")
    assert health.status_code == 503
    assert health.json()["cache"] == "unavailable"
    Breaker.for_server(f"127.0.0.1:{port}").open_until = 0.0
