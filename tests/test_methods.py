"""HTTP methods: every read-only address answers HEAD as it answers GET; TRACE and CONNECT
are refused everywhere."""

import pytest
from django.conf import settings
from django.urls import reverse

from comments.models import Comment
from tests.factories import make_comment, make_guru, make_tip

pytestmark = pytest.mark.django_db

READ_ONLY = [
    "home",
    "topic",
    "category",
    "tip",
    "guru",
    "search",
    "latest feed",
    "topic feed",
    "category atom feed",
    "sitemap index",
    "sitemap section",
    "robots",
    "healthz",
    "favicon",
    "form token",
    "request form",
    "suggestions",
    "answered requests",
    "comment permalink",
    "media file",
]


def body(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


@pytest.fixture
def addresses():
    guru = make_guru()
    tip = make_tip(guru=guru, title="Watering tomatoes")
    comment = make_comment(tip=tip, status=Comment.Status.APPROVED)
    category, topic = tip.category, tip.category.topic
    (settings.MEDIA_ROOT / "hello.txt").write_text("hello\n")
    return {
        "home": reverse("tips:home"),
        "topic": topic.get_absolute_url(),
        "category": category.get_absolute_url(),
        "tip": tip.get_absolute_url(),
        "guru": guru.get_absolute_url(),
        "search": reverse("tips:search") + "?q=tomatoes",
        "latest feed": reverse("feeds:latest"),
        "topic feed": reverse("feeds:topic", args=[topic.slug]),
        "category atom feed": reverse("feeds:category-atom", args=[topic.slug, category.slug]),
        "sitemap index": reverse("sitemap"),
        "sitemap section": reverse("sitemap-section", args=["tips"]),
        "robots": reverse("robots"),
        "healthz": reverse("healthz"),
        "favicon": "/favicon.ico",
        "form token": reverse("form-token"),
        "request form": reverse("requests_app:request"),
        "suggestions": reverse("requests_app:suggestions") + "?q=tomatoes",
        "answered requests": reverse("requests_app:answered"),
        "comment permalink": reverse("comments:permalink", args=[comment.pk]),
        "media file": f"{settings.MEDIA_URL}hello.txt",
    }


@pytest.mark.parametrize("name", READ_ONLY)
def test_head_answers_as_get_does_without_a_body(client, addresses, name):
    """Crawlers and monitors check addresses with HEAD: same status as GET, no body."""
    get = client.get(addresses[name])
    head = client.head(addresses[name])
    assert get.status_code in (200, 301, 302)
    assert head.status_code == get.status_code
    assert body(head) == b""
    assert head["Content-Type"] == get["Content-Type"]


@pytest.mark.parametrize("method", ["TRACE", "CONNECT"])
@pytest.mark.parametrize("name", READ_ONLY)
def test_trace_and_connect_are_refused(client, addresses, name, method):
    """TRACE echoes a request back (cross-site tracing); CONNECT opens tunnels: neither has a
    use here, so every address answers 405 and says which methods it takes."""
    response = client.generic(method, addresses[name])
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD, POST"
    assert b"hello" not in body(response)


@pytest.mark.parametrize("path", ["/static/js/forms.js", "/request-a-tip/", "/tips/1/comment/"])
def test_trace_is_refused_on_static_files_and_forms_too(client, path):
    assert client.generic("TRACE", path).status_code == 405
