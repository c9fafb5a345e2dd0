"""Anonymous readers get cached pages, and the cache is never wrong."""

import datetime
import re
from unittest import mock

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from comments.models import Comment
from tests.factories import comment_data, make_comment, make_tip
from tips.models import Tip

# Real commits: the cache is told about changes once they are committed.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _page_cache(settings):
    settings.PAGE_CACHE_SECONDS = 600


def get(url, client=None):
    return (client or Client()).get(url)


def test_a_second_reader_gets_the_page_from_the_cache_without_queries():
    tip = make_tip()
    assert get(tip.get_absolute_url())["X-Page-Cache"] == "miss"
    with CaptureQueriesContext(connection) as queries:
        second = get(tip.get_absolute_url())
    assert second["X-Page-Cache"] == "hit"
    assert len(queries) == 0
    assert tip.title in second.content.decode()


@pytest.mark.parametrize("url_of", [lambda tip: "/", lambda tip: tip.get_absolute_url(),
                                    lambda tip: tip.category.get_absolute_url()])  # fmt: skip
def test_editing_publishing_and_unpublishing_show_on_the_next_request(admin_client, url_of):
    tip = make_tip(title="First Title")
    url = url_of(tip)
    get(url)
    tip.title = "Edited Title"
    tip.save()
    assert "Edited Title" in get(url).content.decode()

    admin_client.post(
        reverse("admin:tips_tip_changelist"), {"action": "unpublish", "_selected_action": [tip.pk]}
    )
    response = get(url)
    assert "Edited Title" not in response.content.decode()

    admin_client.post(
        reverse("admin:tips_tip_changelist"),
        {"action": "publish_now", "_selected_action": [tip.pk]},
    )
    assert "Edited Title" in get(url).content.decode()


def test_a_scheduled_tip_appears_when_its_time_comes():
    tip = make_tip()
    later = make_tip(
        category=tip.category, title="Goes Live Later",
        publish_at=timezone.now() + datetime.timedelta(hours=1),
    )  # fmt: skip
    url = tip.category.get_absolute_url()
    assert "Goes Live Later" not in get(url).content.decode()
    assert get(url)["X-Page-Cache"] == "hit"

    moment = later.publish_at + datetime.timedelta(seconds=1)
    with (
        mock.patch("django.utils.timezone.now", return_value=moment),
        mock.patch("tipsite.pagecache.time.time", return_value=moment.timestamp()),
    ):
        assert "Goes Live Later" in get(url).content.decode()


def test_approving_and_removing_a_comment_show_on_the_next_request(admin_client):
    tip = make_tip()
    comment = make_comment(tip=tip, status=Comment.Status.PENDING, body="Held for a moment")
    get(tip.get_absolute_url())
    changelist = reverse("admin:comments_comment_changelist")
    admin_client.post(changelist, {"action": "approve", "_selected_action": [comment.pk]})
    assert "Held for a moment" in get(tip.get_absolute_url()).content.decode()
    admin_client.post(changelist, {"action": "remove", "_selected_action": [comment.pk]})
    assert "Held for a moment" not in get(tip.get_absolute_url()).content.decode()


def test_each_reader_gets_their_own_csrf_token_and_form_time_and_both_work():
    tip = make_tip()
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    pages = [get(tip.get_absolute_url(), c) for c in (first, second)]
    assert [p["X-Page-Cache"] for p in pages] == ["miss", "hit"]
    tokens = [re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', p.content.decode())[1]
              for p in pages]  # fmt: skip
    issued = [re.search(r'name="issued" value="([^"]+)"', p.content.decode())[1] for p in pages]
    assert tokens[0] != tokens[1]
    assert issued[0] != issued[1]
    assert "\x00" not in pages[1].content.decode()

    data = comment_data(email="second@example.com", issued=issued[1], csrfmiddlewaretoken=tokens[1])
    with mock.patch("tipsite.antispam.time.time", return_value=__import__("time").time() + 10):
        response = second.post(reverse("comments:post", args=[tip.pk]), data)
    assert response.status_code == 302
    assert Comment.objects.filter(email="second@example.com").exists()


def test_messages_and_personal_pages_are_never_cached_or_served_to_others(client):
    tip = make_tip()
    client.post(reverse("comments:post", args=[tip.pk]), comment_data())
    mine = client.get(tip.get_absolute_url())
    assert "awaiting moderation" in mine.content.decode()
    assert "X-Page-Cache" not in mine
    stranger = get(tip.get_absolute_url()).content.decode()
    assert "awaiting moderation" not in stranger
    assert "This helped my sore shoulders" not in stranger


def test_conditional_requests_get_304_until_content_changes():
    tip = make_tip()
    url = tip.get_absolute_url()
    first = get(url)
    etag, modified = first["ETag"], first["Last-Modified"]
    assert Client().get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert Client().get(url, HTTP_IF_MODIFIED_SINCE=modified).status_code == 304
    tip.title = "Changed"
    tip.save()
    assert Client().get(url, HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_tip_and_listing_pages_answer_conditional_requests_for_every_page_type():
    tip = make_tip()
    for url in ("/", tip.category.topic.get_absolute_url(), tip.category.get_absolute_url(),
                tip.get_absolute_url()):  # fmt: skip
        etag = get(url)["ETag"]
        assert Client().get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304, url


def test_new_held_comments_do_not_empty_the_cache():
    tip = make_tip()
    get(tip.get_absolute_url())
    make_comment(tip=tip, status=Comment.Status.PENDING)
    assert get(tip.get_absolute_url())["X-Page-Cache"] == "hit"
    assert Tip.objects.count() == 1
