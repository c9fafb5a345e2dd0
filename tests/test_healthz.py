import os
import socket

import pytest
from django.test import override_settings

pytestmark = pytest.mark.django_db

DEAD_REDIS = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:9/0",  # the discard port: nothing answers there
    }
}


def test_healthz_is_200_when_database_and_cache_answer(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "cache": "ok", "status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_is_503_and_names_the_cache_when_it_does_not_answer(client):
    with override_settings(CACHES=DEAD_REDIS):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["cache"] == "unavailable"
    assert response.json()["database"] == "ok"


def redis_url() -> str | None:
    url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15")
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
    except OSError:
        if os.environ.get("CI") == "true":
            pytest.fail("CI must reach Redis on 127.0.0.1:6379")
        return None
    return url


def test_the_redis_cache_backend_works_with_the_settings_we_ship():
    """What REDIS_URL turns on must really store and expire values in Redis."""
    url = redis_url()
    if url is None:
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    from django.core.cache.backends.redis import RedisCache

    cache = RedisCache(url, {"KEY_PREFIX": "tipsite-test"})
    cache.set("greeting", {"hello": "world"}, timeout=30)
    assert cache.get("greeting") == {"hello": "world"}
    cache.set("counter", 1, timeout=30)
    assert cache.incr("counter") == 2
    cache.delete_many(["greeting", "counter"])
    assert cache.get("greeting") is None
