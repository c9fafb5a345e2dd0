"""Never lose a comment: many readers posting at once against a real, threaded server."""

from concurrent.futures import ThreadPoolExecutor

import pytest

from comments.models import Comment
from tests.factories import make_tip
from tests.http_client import post_comment

pytestmark = pytest.mark.django_db(transaction=True)

POSTS = 50


def test_fifty_concurrent_comments_are_all_stored_once(live_server, settings):
    settings.ANTISPAM_DEFAULTS = {
        "min_seconds": 0, "max_age_seconds": 3600, "interval_seconds": 0, "per_hour": 0,
    }  # fmt: skip
    settings.COMMENTS_MODERATION = "none"
    tip = make_tip()

    with ThreadPoolExecutor(max_workers=10) as pool:
        statuses = list(pool.map(lambda n: post_comment(live_server.url, tip, n), range(POSTS)))

    assert all(status < 500 for status in statuses), statuses
    accepted = statuses.count(302)
    assert accepted == POSTS
    assert Comment.objects.filter(tip=tip).count() == accepted
    assert Comment.objects.values("email").distinct().count() == accepted
    tip.refresh_from_db()
    assert tip.comment_count == accepted
