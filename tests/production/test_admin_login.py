"""Failed admin logins lock out one username from one address (django-axes); the admin can move."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.core.cache import cache
from django.core.cache.backends.base import BaseCache
from django.test import Client
from django.utils import timezone

from tests.factories import EDITOR_PASSWORD, make_editor
from tests.production.test_failures import run_site

pytestmark = pytest.mark.django_db
LOGIN = "/admin/login/"
WRONG = "not-the-password"
STRANGER, EDITOR_HOME = "198.51.100.7", "203.0.113.20"


@pytest.fixture(autouse=True)
def _axes(settings):
    # The test settings turn django-axes off for the client's request-less logins elsewhere.
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 10


def attempt(client=None, *, password=WRONG, ip=STRANGER, username="editor", **headers):
    return (client or Client()).post(
        LOGIN,
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=ip,
        **headers,
    )


def test_a_stranger_guessing_from_elsewhere_cannot_lock_the_editor_out():
    """12 wrong passwords for `editor` lock out only the guesser's address."""
    make_editor()
    statuses = [attempt().status_code for _ in range(12)]
    assert statuses[:9] == [200] * 9
    assert statuses[-1] == 429

    response = attempt(password=EDITOR_PASSWORD, ip=EDITOR_HOME)
    assert response.status_code == 302
    assert response["Location"] == "/admin/"


def test_the_client_address_is_the_one_the_trusted_proxy_forwarded(settings):
    """Behind a proxy every visitor arrives from its address: the forwarded one is counted."""
    settings.TRUSTED_PROXIES = 1
    make_editor()
    proxy = "10.0.0.1"
    for _ in range(11):
        attempt(ip=proxy, HTTP_X_FORWARDED_FOR=STRANGER)
    assert attempt(ip=proxy, HTTP_X_FORWARDED_FOR=STRANGER).status_code == 429

    editor = attempt(password=EDITOR_PASSWORD, ip=proxy, HTTP_X_FORWARDED_FOR=EDITOR_HOME)
    assert editor.status_code == 302
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {STRANGER}


@pytest.mark.parametrize("forwarded", ["not-an-ip", "999.1.1.1"])
def test_a_forwarded_address_that_is_no_address_counts_as_the_proxy(settings, forwarded):
    """A junk X-Forwarded-For is no 500 (PostgreSQL stores addresses in an inet column)."""
    settings.TRUSTED_PROXIES = 1
    make_editor()
    assert attempt(ip="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded).status_code == 200
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["10.0.0.1"]


def test_the_same_username_and_address_is_locked_out_after_the_limit_until_the_cool_off():
    """After 10 failures even the right password gets the lockout page, for 15 minutes."""
    make_editor()
    assert [attempt(ip=EDITOR_HOME).status_code for _ in range(9)] == [200] * 9
    assert attempt(ip=EDITOR_HOME).status_code == 429  # the 10th failure locks

    locked = attempt(password=EDITOR_PASSWORD, ip=EDITOR_HOME)
    assert locked.status_code == 429
    assert 14 * 60 < int(locked["Retry-After"]) <= 15 * 60
    page = locked.content.decode()
    assert "<h1>Too many failed logins</h1>" in page
    assert "LifeTips editors" in page, "the admin's own header"
    assert "as <strong>editor</strong> from this network is paused for 15 minutes" in page
    assert "Logging in from another network still works" in page
    assert "sessionid" not in locked.cookies

    # A try while locked out does not restart the wait.
    last_failure_was(minutes_ago=10)
    assert 4 * 60 < int(attempt(ip=EDITOR_HOME)["Retry-After"]) <= 5 * 60

    last_failure_was(minutes_ago=16)
    assert attempt(password=EDITOR_PASSWORD, ip=EDITOR_HOME).status_code == 302


def last_failure_was(*, minutes_ago: int) -> None:
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=minutes_ago))


def test_a_successful_login_clears_the_failures():
    """Nine typos and then the right password: the next nine typos start from zero."""
    make_editor()
    for _ in range(9):
        attempt(ip=EDITOR_HOME)
    client = Client()
    assert attempt(client, password=EDITOR_PASSWORD, ip=EDITOR_HOME).status_code == 302
    assert not AccessAttempt.objects.exists()
    client.logout()
    assert [attempt(ip=EDITOR_HOME).status_code for _ in range(9)] == [200] * 9


class BrokenCache(BaseCache):
    """A cache whose every call fails, as a Redis that went away does without IGNORE_EXCEPTIONS."""

    def __init__(self, location, params):
        super().__init__(params)

    def __getattribute__(self, name):
        if name in {"add", "get", "set", "touch", "delete", "clear", "get_many", "set_many",
                    "delete_many", "has_key", "incr", "decr", "get_or_set"}:  # fmt: skip
            raise ConnectionError("the cache is down")
        return super().__getattribute__(name)


def test_failures_are_stored_in_the_database_and_counted_with_the_cache_down(settings):
    """The count is rows in the database: every server shares it, no cache outage loses it."""
    settings.CACHES = {"default": {"BACKEND": f"{__name__}.BrokenCache"}}
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"
    with pytest.raises(ConnectionError):
        cache.get("anything")
    make_editor()
    assert [attempt().status_code for _ in range(3)] == [200] * 3
    stored = AccessAttempt.objects.get()
    assert (stored.username, stored.ip_address, stored.failures_since_start) == (
        "editor",
        STRANGER,
        3,
    )
    assert [attempt().status_code for _ in range(7)][-1] == 429
    assert attempt(password=EDITOR_PASSWORD).status_code == 429


def test_the_admin_address_is_a_setting(tmp_path):
    result = run_site(
        """
        from django.core.management import call_command
        call_command("migrate", verbosity=0)
        print(json.dumps({"moved": client.get("/backstage-7f3a/login/").status_code,
                          "old": client.get("/admin/login/").status_code}))
        """,
        ADMIN_URL="backstage-7f3a",
        DATABASE_URL=f"sqlite:///{tmp_path / 'site.sqlite3'}",
    )
    assert result["moved"] == 200
    assert result["old"] == 404
