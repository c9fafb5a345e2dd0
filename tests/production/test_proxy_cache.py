"""Behind the shipped nginx (deploy/nginx/tipsite.conf), what every anonymous reader shares is
answered by nginx itself for HTTP_CACHE_SECONDS, and nothing personal ever is.

The site's request log tells whether it was asked at all.
"""

import time

import pytest

from tests.factories import comment_data, make_tip
from tests.http_client import Browser
from tests.servers import (
    NGINX,
    manage_py,
    requests_logged,
    start_gunicorn,
    start_nginx,
    stop,
    wait_until_answering,
)
from tests.tools import require
from tips.models import Tip

pytestmark = pytest.mark.django_db(transaction=True)
PERSONAL_COOKIES = ("sessionid", "messages", "tipsite_visitor")


@pytest.fixture
def proxied(tmp_path, production_env):
    """``start(http_cache_seconds)``: the site under gunicorn, nginx in front; gives nginx's
    address, the site's environment and its log."""
    require(NGINX.exists(), f"nginx ({NGINX})", "apt-get install -y nginx")
    started = []

    def start(http_cache_seconds: int = 60):
        env = {**production_env, "HTTP_CACHE_SECONDS": str(http_cache_seconds),
               "ANTISPAM_MIN_SECONDS": "0", "LOG_LEVEL": "INFO"}  # fmt: skip
        log = tmp_path / "site.log"
        gunicorn, gunicorn_url = start_gunicorn(env, workers=2, output=log)
        started.append(gunicorn)
        wait_until_answering(gunicorn_url)
        nginx, url = start_nginx(tmp_path, gunicorn_url=gunicorn_url, media=tmp_path / "media")
        started.append(nginx)
        wait_until_answering(url, seconds=10)
        return url, env, log

    try:
        yield start
    finally:
        stop(*reversed(started))


def asked(log, path: str, method: str = "GET") -> int:
    """How many times the site was asked for ``path``."""
    return sum(line["method"] == method and line["path"] == path for line in requests_logged(log))


def test_nginx_answers_what_every_anonymous_reader_shares_without_asking_the_site(proxied):
    url, _, log = proxied()
    tip = make_tip(title="Kept by nginx")
    path = tip.get_absolute_url()

    first, second = Browser(url).get(path), Browser(url).get(path)
    assert (first.headers["X-Cache-Status"], second.headers["X-Cache-Status"]) == ("MISS", "HIT")
    assert "Kept by nginx" in second.text
    # A cookie that changes nothing on the page (the CSRF one) shares the copy.
    with_token = Browser(url, headers={"Cookie": "csrftoken=abc"}).get(path)
    assert with_token.headers["X-Cache-Status"] == "HIT"
    assert asked(log, path) == 1

    # Clients that take gzip share one compressed copy, however they spell it.
    gzip_first = Browser(url, headers={"Accept-Encoding": "gzip"}).get(path)
    gzip_second = Browser(url, headers={"Accept-Encoding": "gzip, deflate, br"}).get(path)
    assert gzip_second.headers["X-Cache-Status"] == "HIT"
    assert gzip_first.headers["Content-Encoding"] == gzip_second.headers["Content-Encoding"]
    assert gzip_second.headers["Content-Encoding"] == "gzip"
    assert asked(log, path) == 2


@pytest.mark.parametrize("cookie", PERSONAL_COOKIES)
def test_a_visitor_with_a_personal_cookie_is_never_answered_from_nginx(proxied, cookie):
    url, _, log = proxied()
    path = make_tip().get_absolute_url()
    Browser(url).get(path)
    assert Browser(url).get(path).headers["X-Cache-Status"] == "HIT"

    personal = Browser(url, headers={"Cookie": f"{cookie}=something"}).get(path)
    assert personal.headers["X-Cache-Status"] == "BYPASS"
    assert "no-store" in personal.headers["Cache-Control"]
    assert asked(log, path) == 2


def test_a_commenter_sees_their_held_comment_and_notice_others_never_do(proxied):
    url, _, _ = proxied()
    tip = make_tip()
    path = tip.get_absolute_url()
    reader = Browser(url)
    page = reader.get(path)
    assert reader.get(path).headers["X-Cache-Status"] == "HIT"

    fields = comment_data(
        issued=page.field("issued"), csrfmiddlewaretoken=reader.csrf_token(page),
        body="My own words, held for review.",
    )  # fmt: skip
    posted = reader.post(f"/tips/{tip.pk}/comment/", fields, referer=path)
    assert posted.status == 302
    mine = reader.get(posted.headers["Location"])
    assert mine.headers["X-Cache-Status"] == "BYPASS"
    assert "My own words, held for review." in mine.text
    assert "awaiting moderation" in mine.text

    stranger = Browser(url).get(path)
    assert stranger.headers["X-Cache-Status"] == "HIT"
    assert "My own words" not in stranger.text
    assert "awaiting moderation" not in stranger.text


def test_the_admin_and_posted_forms_are_never_answered_from_nginx(proxied):
    url, _, log = proxied()
    tip = make_tip()
    for _ in range(2):
        login = Browser(url).get("/admin/login/")
        assert login.status == 200
        assert login.headers.get("X-Cache-Status") != "HIT"
    assert asked(log, "/admin/login/") == 2

    reader = Browser(url)
    page = reader.get(tip.get_absolute_url())
    fields = comment_data(
        issued=page.field("issued"), csrfmiddlewaretoken=reader.csrf_token(page), email="bad"
    )
    for _ in range(2):
        errors = reader.post(f"/tips/{tip.pk}/comment/", fields, referer=tip.get_absolute_url())
        assert errors.status == 200
        assert "Enter a valid email address." in errors.text
        assert errors.headers.get("X-Cache-Status") != "HIT"
    assert asked(log, f"/tips/{tip.pk}/comment/", method="POST") == 2


def test_a_tip_published_shows_through_nginx_once_its_copy_is_http_cache_seconds_old(proxied):
    seconds = 2
    url, env, _ = proxied(http_cache_seconds=seconds)
    tip = make_tip(title="Published by cron", status=Tip.Status.DRAFT)
    listing = tip.category.get_absolute_url()
    assert "Published by cron" not in Browser(url).get(listing).text

    manage_py(
        env,
        "shell",
        "-c",
        "from tips.models import Tip; from tips.services import tips_publish_now; "
        f"tips_publish_now(tips=Tip.objects.filter(pk={tip.pk}))",
    )
    time.sleep(seconds + 1)  # nginx counts its copies' age in whole seconds
    fresh = Browser(url).get(listing)
    assert fresh.headers["X-Cache-Status"] != "HIT"
    assert "Published by cron" in fresh.text
