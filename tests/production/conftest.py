"""What the tests that start the site in processes of its own share."""

import os

import pytest
from django.db import connection

from tests.servers import live_database_url, manage_py

SECRET_KEY = "live-server-test-" + "k" * 40


@pytest.fixture(scope="session")
def static_root(tmp_path_factory):
    """Static files collected once, as production settings serve them (with their manifest)."""
    static = tmp_path_factory.mktemp("static")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tipsite.settings.production",
        "SECRET_KEY": SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1",
        "STATIC_ROOT": str(static),
    }
    manage_py(env, "collectstatic", "--noinput", "-v0")
    return static


@pytest.fixture(scope="session")
def migrated_env(django_db_setup, static_root):
    """The environment of the site in production mode without Redis, on the test database,
    migrated once as `make serve` does (migrate makes the cache's table)."""
    env = {
        **{name: value for name, value in os.environ.items() if name != "REDIS_URL"},
        "DJANGO_SETTINGS_MODULE": "tipsite.settings.production",
        "SECRET_KEY": SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1",
        "HTTPS": "false",
        "DATABASE_URL": live_database_url(),
        "STATIC_ROOT": str(static_root),
        "TRUSTED_PROXIES": "1",
        "LOG_LEVEL": "WARNING",
    }
    manage_py(env, "migrate", "--noinput", "-v0")
    return env


@pytest.fixture
def production_env(migrated_env):
    """:func:`migrated_env` for a test that starts the site (it needs
    ``django_db(transaction=True)``), with nothing left in its cache by an earlier test."""
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM tipsite_cache")
    return dict(migrated_env)
