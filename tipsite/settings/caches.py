"""The shared caches, built in one place so tests run with the very options the site uses."""

# The table DatabaseCache keeps its entries in; ``migrate`` creates it (tipsite/apps.py).
DATABASE_CACHE_TABLE = "tipsite_cache"


def database_cache(*, max_entries: int) -> dict:
    """A ``CACHES`` entry kept in the site's own database, for a site without Redis.

    Every process that uses the database sees it: each gunicorn worker, every server that
    shares the database, and every management command and cron job, so a change made by any
    of them shows on every worker at its next request. It holds at most ``max_entries``
    entries (a third of them are dropped, the oldest to expire first, when it is full).
    """
    return {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": DATABASE_CACHE_TABLE,
        "OPTIONS": {"MAX_ENTRIES": max_entries, "CULL_FREQUENCY": 3},
    }


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
