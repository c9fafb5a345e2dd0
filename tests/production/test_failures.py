"""When something breaks, or a visitor sends nonsense: clear answers, never a traceback."""

import json
import logging
import os
import re
import subprocess
import sys
import textwrap
from unittest import mock

import pytest
from django.conf import settings
from django.urls import reverse

from tests.factories import comment_data, make_tip

pytestmark = pytest.mark.django_db


def run_site(script: str, **env) -> dict:
    """Run ``script`` in a fresh process (settings are read at start) and return its JSON."""
    prelude = textwrap.dedent(
        """
        import json, os, time, django
        os.environ["DJANGO_SETTINGS_MODULE"] = "tipsite.settings.test"
        django.setup()
        from django.test import Client
        from django.test.utils import setup_test_environment
        setup_test_environment()
        client = Client(raise_request_exception=False)
        """
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", prelude + textwrap.dedent(script)],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1]) | {
        "log": result.stdout + result.stderr
    }


DATABASE_DOWN = """
    out = {}
    for url in ["/", "/massage-therapy/", "/search/?q=x", "/request-a-tip/", "/healthz"]:
        started = time.monotonic()
        response = client.get(url)
        out[url] = {
            "status": response.status_code,
            "seconds": time.monotonic() - started,
            "retry_after": response.get("Retry-After"),
            "body": response.content.decode()[:3000],
        }
    print(json.dumps(out))
"""


@pytest.mark.parametrize(
    "database_url",
    ["postgres://postgres@127.0.0.1:9/tipsite", "sqlite:////nonexistent/folder/tipsite.sqlite3"],
    ids=["postgresql", "sqlite"],
)
def test_with_the_database_unreachable_every_page_answers_503_quickly(database_url):
    pages = run_site(DATABASE_DOWN, DATABASE_URL=database_url)
    for url in ("/", "/massage-therapy/", "/search/?q=x", "/request-a-tip/"):
        page = pages[url]
        assert page["status"] == 503, url
        assert page["retry_after"] == "30"
        assert page["seconds"] < 1
        assert "We’ll be right back" in page["body"]
        assert "Traceback" not in page["body"]
    health = json.loads(pages["/healthz"]["body"])
    assert pages["/healthz"]["status"] == 503
    assert health == {"database": "unavailable", "cache": "ok", "status": "unavailable"}


REDIS_DOWN = """
    import time
    from django.core.management import call_command
    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0)
    from tips.models import Tip
    from tipsite.antispam import issue_token
    from comments.models import Comment
    tip = Tip.objects.get(slug="neuromuscular-massage-therapy")
    urls = ["/", tip.get_absolute_url(), "/search/?q=massage"]
    out = {"pages": [client.get(url).status_code for url in urls]}
    data = {"name": "Ann", "email": "ann@example.com", "url": "", "body": "Lovely tip.",
            "homepage": "", "issued": issue_token("comment", issued_at=time.time() - 10)}
    target = f"/tips/{tip.pk}/comment/"
    posts = [{**data, "body": f"Note {i}"} for i in range(2)]
    out["posts"] = [client.post(target, post).status_code for post in posts]
    out["stored"] = Comment.objects.count()
    health = client.get("/healthz")
    out["health"] = [health.status_code, health.json()]
    print(json.dumps(out))
"""


def test_with_redis_unreachable_pages_and_forms_still_work(tmp_path):
    result = run_site(
        REDIS_DOWN,
        DATABASE_URL=f"sqlite:///{tmp_path / 'site.sqlite3'}",
        REDIS_URL="redis://127.0.0.1:9/0",
    )
    assert result["pages"] == [200, 200, 200]
    assert result["posts"] == [302, 302], "flood control fails open without its counters"
    assert result["stored"] == 2
    assert result["health"] == [
        503,
        {"database": "ok", "cache": "unavailable", "status": "unavailable"},
    ]
    assert "django_redis.cache" in result["log"], "the failing cache is logged"


def test_redis_answers_are_read_by_its_c_parser():
    # hiredis (requirements.txt) takes about 15% off the client's time for each cache round trip.
    from redis.connection import Connection

    assert type(Connection()._parser).__name__ == "_HiredisParser"


def test_a_foreign_host_header_gets_400(client):
    response = client.get("/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert "We couldn’t understand that request" in response.content.decode()


def test_an_oversized_body_gets_400_not_500(client):
    tip = make_tip()
    huge = comment_data(body="x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1))
    response = client.post(reverse("comments:post", args=[tip.pk]), huge)
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("method", "path", "extra"),
    [
        ("get", "/%00/", {}),
        ("get", "/search/", {"QUERY_STRING": "q=%ff%fe&page=-1&topic=%00"}),
        ("get", "/massage-therapy/x/?page=99999999999999999999", {}),
        ("get", "/request-a-tip/", {"QUERY_STRING": "category=%00&topic=../../etc"}),
        ("post", "/request-a-tip/", {}),
        ("post", "/tips/1/vote/", {}),
        ("put", "/", {}),
        ("delete", "/healthz", {}),
        ("get", "/gurus/" + "a" * 3000 + "/", {}),
        ("get", "/comments/999999999999999999999/", {}),
        ("get", "/request-a-tip/suggestions/", {"QUERY_STRING": "q=" + "%F0%9F" * 500}),
        ("get", "/", {"HTTP_COOKIE": "tipsite_visitor=\x00; sessionid=garbage; messages=junk"}),
        ("get", "/", {"HTTP_ACCEPT_LANGUAGE": "x" * 5000, "HTTP_X_FORWARDED_FOR": "not-an-ip"}),
    ],
)
def test_nothing_a_visitor_sends_produces_a_500(client, method, path, extra):
    make_tip()
    response = getattr(client, method)(path, **extra)
    assert response.status_code < 500, response.content[:500]


def test_each_request_logs_one_structured_line_with_its_id(client, caplog):
    caplog.set_level(logging.INFO, logger="tipsite.requests")
    response = client.get("/no/such/page/", HTTP_X_REQUEST_ID="abc12345-from-proxy")
    [record] = [r for r in caplog.records if r.name == "tipsite.requests"]
    line = json.loads(record.getMessage())
    assert line["method"] == "GET"
    assert line["path"] == "/no/such/page/"
    assert line["status"] == 404
    assert line["request_id"] == "abc12345-from-proxy" == response["X-Request-ID"]
    assert isinstance(line["duration_ms"], float)


@pytest.mark.parametrize("incoming", [None, "short", "has spaces in it", "x" * 65])
def test_a_request_without_a_usable_id_gets_a_new_one_of_its_own(client, incoming):
    sent = {} if incoming is None else {"HTTP_X_REQUEST_ID": incoming}
    ids = [client.get("/no/such/page/", **sent)["X-Request-ID"] for _ in range(2)]
    assert ids[0] != ids[1]
    assert all(re.fullmatch(r"[0-9a-f]{16}", request_id) for request_id in ids)


def test_an_error_is_logged_with_its_request_id_and_the_500_page_shows_it(client, caplog):
    client.raise_request_exception = False
    with mock.patch("tips.views.HomeView.get", side_effect=RuntimeError("boom")):
        response = client.get("/")
    assert response.status_code == 500
    request_id = response["X-Request-ID"]
    assert request_id in response.content.decode()
    assert "Traceback" not in response.content.decode()
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors
    assert {r.request_id for r in errors if hasattr(r, "request_id")} <= {request_id}
