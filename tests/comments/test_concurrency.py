"""Never lose a comment: many readers posting at once against a real, threaded server."""

import http.cookiejar
import re
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from comments.models import Comment
from tests.factories import make_tip

pytestmark = pytest.mark.django_db(transaction=True)

POSTS = 50


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def post_one(base_url: str, tip_url: str, n: int) -> int:
    """One reader: load the tip page (cookie, CSRF token, form time), then post a comment."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
    html = opener.open(base_url + tip_url, timeout=30).read().decode()
    action = re.search(r'action="(/tips/\d+/comment/)"', html).group(1)
    fields = {
        "csrfmiddlewaretoken": re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)[1],
        "issued": re.search(r'name="issued" value="([^"]+)"', html)[1],
        "homepage": "",
        "name": f"Reader {n}",
        "email": f"reader{n}@example.com",
        "url": "",
        "body": f"Comment number {n}: this worked for me.",
    }
    request = urllib.request.Request(
        base_url + action,
        data=urllib.parse.urlencode(fields).encode(),
        headers={"Referer": base_url + tip_url},
    )
    try:
        return opener.open(request, timeout=60).status
    except urllib.error.HTTPError as error:
        return error.code


def test_fifty_concurrent_comments_are_all_stored_once(live_server, settings):
    settings.ANTISPAM_DEFAULTS = {
        "min_seconds": 0, "max_age_seconds": 3600, "interval_seconds": 0, "per_hour": 0,
    }  # fmt: skip
    settings.COMMENTS_MODERATION = "none"
    tip = make_tip()

    with ThreadPoolExecutor(max_workers=10) as pool:
        statuses = list(
            pool.map(lambda n: post_one(live_server.url, tip.get_absolute_url(), n), range(POSTS))
        )

    assert all(status < 500 for status in statuses), statuses
    accepted = statuses.count(302)
    assert accepted == POSTS
    assert Comment.objects.filter(tip=tip).count() == accepted
    assert Comment.objects.values("email").distinct().count() == accepted
    tip.refresh_from_db()
    assert tip.comment_count == accepted
