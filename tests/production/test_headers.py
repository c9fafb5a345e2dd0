"""Security headers on HTML pages, error pages and static files; cookies; production settings."""

import os
import subprocess
import sys

import pytest
from django.conf import settings

from tests.factories import make_tip

pytestmark = pytest.mark.django_db


@pytest.fixture
def responses(client):
    tip = make_tip()
    return {
        "page": client.get(tip.get_absolute_url()),
        "404": client.get("/no/such/page/"),
        "static": client.get("/static/css/site.css"),
    }


def test_every_response_carries_the_security_headers(responses):
    for name, response in responses.items():
        assert response.status_code == (404 if name == "404" else 200), name
        csp = response["Content-Security-Policy"]
        directives = dict(d.strip().split(" ", 1) for d in csp.split(";") if " " in d.strip())
        assert directives["default-src"] == "'self'", name
        assert directives["frame-ancestors"] == "'none'", name
        assert directives["form-action"] == "'self'", name
        assert "unsafe-inline" not in csp
        assert "unsafe-eval" not in csp
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
        assert response["X-Frame-Options"] == "DENY"
        assert response["Cross-Origin-Opener-Policy"] == "same-origin"
        assert "camera=()" in response["Permissions-Policy"]
        assert response["X-Request-ID"]


def test_hsts_for_a_year_with_subdomains_over_https(client, settings):
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    for url in ("/", "/no/such/page/", "/static/css/site.css"):
        hsts = client.get(url, secure=True)["Strict-Transport-Security"]
        assert hsts.startswith("max-age=31536000; includeSubDomains")


def test_cookies_are_httponly_and_samesite_lax(client):
    response = client.get(make_tip().get_absolute_url())
    csrf = response.cookies[settings.CSRF_COOKIE_NAME]
    assert csrf["httponly"]
    assert csrf["samesite"] == "Lax"


def production(**env) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "ALLOWED_HOSTS"}}
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='tipsite.settings.production';"
        "from django.conf import settings as s; "
        "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, "
        "s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS)"
    )
    return subprocess.run(  # noqa: S603
        [sys.executable, "-c", code],
        env={**clean, **env},
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
        check=False,
    )


def test_production_refuses_to_start_without_a_secret_key_or_hosts():
    no_key = production(ALLOWED_HOSTS="tips.example.com")
    assert no_key.returncode != 0
    assert "Set SECRET_KEY" in no_key.stderr
    no_hosts = production(SECRET_KEY="x" * 50)
    assert no_hosts.returncode != 0
    assert "Set ALLOWED_HOSTS" in no_hosts.stderr


def test_production_turns_on_https_protections():
    result = production(SECRET_KEY="x" * 50, ALLOWED_HOSTS="tips.example.com")
    assert result.stdout.split() == ["False", "True", "True", "True", "31536000", "True"]
