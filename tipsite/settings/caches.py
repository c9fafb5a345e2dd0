"""The shared Redis cache, built in one place so tests run with the very options the site uses."""


def redis_cache(url: str, *, key_prefix: str) -> dict:
    """A ``CACHES`` entry for the Redis at ``url``.

    If Redis goes away the site keeps serving: cache calls fail quietly (and are logged),
    sessions fall back to the database, pages render uncached and flood control lets posts
    through. If it hangs, the first call waits its short timeout and the breaker then skips
    Redis for ``CACHE_BREAKER_SECONDS`` (tipsite/cache_breaker.py), so a page costs at most one
    wait rather than one for each of its cache calls.
    """
    from tipsite.cache_breaker import connection_class_for

    return {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": url,
        "KEY_PREFIX": key_prefix,
        "OPTIONS": {
            "IGNORE_EXCEPTIONS": True,
            "SOCKET_CONNECT_TIMEOUT": 0.5,
            "SOCKET_TIMEOUT": 0.5,
            "CONNECTION_POOL_KWARGS": {"connection_class": connection_class_for(url)},
        },
    }
