"""Failed admin logins are slowed, then locked out; the admin can move."""

from unittest import mock

import pytest
from django.test import Client

from tests.factories import EDITOR_PASSWORD, make_editor
from tests.production.test_failures import run_site

pytestmark = pytest.mark.django_db
LOGIN = "/admin/login/"


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.LOGIN_SLOW_AFTER = 2
    settings.LOGIN_LOCK_AFTER = 4
    settings.LOGIN_LOCK_SECONDS = 900


WRONG = "not-the-password"


def attempt(client, username="editor", password=WRONG, ip="192.0.2.10"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_failures_are_slowed_then_locked_out_per_ip(client):
    make_editor()
    clock = 1_000_000.0
    with mock.patch("tipsite.login_throttle.time.time", side_effect=lambda: clock):
        assert [attempt(client).status_code for _ in range(2)] == [200, 200]
        slowed = attempt(client)
        assert slowed.status_code == 429
        assert slowed["Retry-After"] == "1"
        assert "Too many failed logins" in slowed.content.decode()

        clock += 2
        assert attempt(client).status_code == 200  # waited: may try, fails again (3rd)
        clock += 3
        assert attempt(client).status_code == 200  # 4th failure: now locked
        clock += 60
        locked = attempt(client, password=EDITOR_PASSWORD)
        assert locked.status_code == 429, "even the right password waits out the lock"
        assert int(locked["Retry-After"]) > 800

        clock += 900
        assert attempt(client, password=EDITOR_PASSWORD).status_code == 302


def test_failures_count_per_username_across_ips(client):
    make_editor()
    for n in range(4):
        attempt(Client(), ip=f"198.51.100.{n}")
    assert attempt(Client(), ip="203.0.113.99", password=EDITOR_PASSWORD).status_code == 429
    assert attempt(Client(), username="someone-else", ip="203.0.113.99").status_code == 200


def test_a_successful_login_clears_the_count(client):
    make_editor()
    attempt(client)
    assert attempt(client, password=EDITOR_PASSWORD).status_code == 302
    client.logout()
    assert [attempt(client).status_code for _ in range(2)] == [200, 200]


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
