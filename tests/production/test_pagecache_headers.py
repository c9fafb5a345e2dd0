"""A page served from the cache carries the headers it was answered with when it was rendered:
security headers, its content security policy and frame options (a view's own too), validators,
Vary and caching. The page cache answers above every other middleware, so none of them runs
for a hit; what they decide for a request (refusals, redirects, bad hosts) still holds."""

import re
from unittest import mock

import pytest
from csp.constants import NONCE
from csp.decorators import csp_exempt, csp_update
from django.core.cache import caches
from django.db import OperationalError, connection
from django.http import HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import path, reverse
from django.views.decorators.clickjacking import xframe_options_exempt, xframe_options_sameorigin

from tests.factories import make_tip
from tipsite import pagecache
from tipsite.urls import urlpatterns as site_urlpatterns

pytestmark = pytest.mark.django_db(transaction=True)

# Different in every answer: the request's id, whether it was a hit, and the length (a page's
# form times are filled in per answer).
PER_ANSWER = {"X-Request-ID", "X-Page-Cache", "Content-Length"}
SECURITY = [
    "Content-Security-Policy",
    "X-Frame-Options",
    "Permissions-Policy",
    "X-Content-Type-Options",
    "Referrer-Policy",
    "Cross-Origin-Opener-Policy",
]


@pytest.fixture(autouse=True)
def _page_cache(settings):
    settings.PAGE_CACHE_SECONDS = 600
    # As in production with Redis: a worker keeps what it has just served (the second hit).
    settings.CACHES = {
        **settings.CACHES,
        pagecache.RECENT: {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "recent-pages-headers-test",
        },
    }
    settings.PAGE_CACHE_RECHECK_SECONDS = 1.0
    caches["default"].clear()
    caches[pagecache.RECENT].clear()


def lasting(response, *, but=frozenset()) -> dict:
    return {name: value for name, value in response.items() if name not in PER_ANSWER | but}


@pytest.mark.parametrize("page", ["tip", "category", "sitemap", "feed"])
@pytest.mark.parametrize("encoding", ["gzip, deflate", ""])
def test_a_hit_carries_the_headers_of_the_miss(settings, page, encoding):
    settings.SECURE_HSTS_SECONDS = 3600
    tip = make_tip()
    url = {
        "tip": tip.get_absolute_url(),
        "category": tip.category.get_absolute_url(),
        "sitemap": "/sitemap-tips.xml",
        "feed": reverse("feeds:latest"),
    }[page]
    reader = Client(HTTP_ACCEPT_ENCODING=encoding)
    miss, hit, kept_hit = (reader.get(url, secure=True) for _ in range(3))
    assert [r["X-Page-Cache"] for r in (miss, hit, kept_hit)] == ["miss", "hit", "hit"]
    for name in [*SECURITY, "Strict-Transport-Security", "ETag", "Last-Modified", "Vary"]:
        assert name in miss, name
    assert miss["Cache-Control"] == pagecache.shared_cache_control()
    assert lasting(hit) == lasting(miss)
    assert lasting(kept_hit) == lasting(miss)


def test_a_reader_whose_copy_is_current_gets_304_with_the_pages_headers_hit_or_miss():
    """Django's own 304 keeps only the validators and caching headers; the security headers
    come with it as they do with every answer, whether the page was cached or not."""
    url = make_tip().get_absolute_url()
    page = Client().get(url)
    pagecache.content_changed()
    revalidated_miss = Client().get(url, HTTP_IF_NONE_MATCH=page["ETag"])
    with CaptureQueriesContext(connection) as queries:
        revalidated_hit = Client().get(url, HTTP_IF_NONE_MATCH=page["ETag"])
    assert len(queries) == 0, "a hit"
    for answer in (revalidated_miss, revalidated_hit):
        assert answer.status_code == 304
        for name in [*SECURITY, "ETag", "Vary", "Cache-Control"]:
            assert answer[name] == page[name], name
        assert "Last-Modified" in answer, "of the render after the change"
        assert "Content-Type" not in answer
    assert lasting(revalidated_hit) == lasting(revalidated_miss)


def test_a_page_first_asked_for_by_a_reader_with_a_copy_is_kept_whole():
    """The render after a change answers that reader 304, and keeps the page with every header."""
    url = make_tip().get_absolute_url()
    page = Client().get(url)
    pagecache.content_changed()
    assert Client().get(url, HTTP_IF_NONE_MATCH=page["ETag"]).status_code == 304
    hit = Client().get(url)
    assert (hit.status_code, hit["X-Page-Cache"]) == (200, "hit")
    # Rendered again after the change: its date is of then, all else as the first time.
    assert "Last-Modified" in hit
    assert lasting(hit, but={"Last-Modified"}) == lasting(page, but={"Last-Modified"})


@xframe_options_sameorigin
@csp_update({"img-src": ["https://images.example"]})
def gallery(request):
    return HttpResponse("<p>Pictures from another site, in a frame of ours</p>")


@xframe_options_exempt
@csp_exempt()
def embeddable(request):
    return HttpResponse("<p>A widget partners frame</p>")


@csp_update({"script-src": [NONCE]})
def inline_script(request):
    return HttpResponse(f'<script nonce="{request.csp_nonce}">start()</script>')


urlpatterns = [
    path("gallery/", pagecache.cache_page_for_readers(gallery)),
    path("embeddable/", pagecache.cache_page_for_readers(embeddable)),
    path("inline/", pagecache.cache_page_for_readers(inline_script)),
    *site_urlpatterns,
]


@pytest.mark.urls(__name__)
def test_a_view_with_a_policy_and_frame_options_of_its_own_keeps_them_on_hits():
    miss, hit = Client().get("/gallery/"), Client().get("/gallery/")
    assert (miss["X-Page-Cache"], hit["X-Page-Cache"]) == ("miss", "hit")
    for response in (miss, hit):
        policy = response["Content-Security-Policy"]
        assert "img-src 'self' data: https://images.example" in policy
        assert "frame-ancestors 'none'" in policy, "the rest is the site's policy"
        assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert lasting(hit) == lasting(miss)


@pytest.mark.urls(__name__)
def test_a_view_exempt_from_the_policy_and_frame_options_stays_exempt_on_hits():
    miss, hit = Client().get("/embeddable/"), Client().get("/embeddable/")
    assert (miss["X-Page-Cache"], hit["X-Page-Cache"]) == ("miss", "hit")
    for response in (miss, hit):
        assert "Content-Security-Policy" not in response
        assert "X-Frame-Options" not in response
        assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.urls(__name__)
def test_a_page_whose_policy_has_a_nonce_is_rendered_for_every_reader():
    answers = [Client().get("/inline/") for _ in range(2)]
    assert [a["X-Page-Cache"] for a in answers] == ["miss", "miss"]
    nonces = [re.search(r"'nonce-([^']+)'", a["Content-Security-Policy"])[1] for a in answers]
    assert nonces[0] != nonces[1]
    for nonce, answer in zip(nonces, answers, strict=True):
        assert f'nonce="{nonce}"' in answer.content.decode()


@pytest.mark.parametrize("method", ["TRACE", "CONNECT"])
def test_trace_and_connect_to_a_cached_page_are_still_refused(method):
    url = make_tip().get_absolute_url()
    assert Client().get(url)["X-Page-Cache"] == "miss"
    assert Client().get(url)["X-Page-Cache"] == "hit"
    response = Client().generic(method, url)
    assert response.status_code == 405
    assert "X-Page-Cache" not in response
    assert response["X-Frame-Options"] == "DENY"


def test_plain_http_to_a_cached_page_is_still_redirected_to_https(settings):
    settings.SECURE_SSL_REDIRECT = True
    url = make_tip().get_absolute_url()
    assert Client().get(url, secure=True)["X-Page-Cache"] == "miss"
    assert Client().get(url, secure=True)["X-Page-Cache"] == "hit"
    response = Client().get(url)
    assert response.status_code == 301
    assert response["Location"] == f"https://testserver{url}"


def test_a_host_the_site_does_not_serve_gets_400_with_the_security_headers(settings):
    settings.ALLOWED_HOSTS = ["tips.example"]
    url = make_tip().get_absolute_url()
    Client(HTTP_HOST="tips.example").get(url)
    response = Client(HTTP_HOST="elsewhere.example").get(url)
    assert response.status_code == 400
    for name in SECURITY:
        assert name in response, name


def test_a_cache_in_a_database_that_fails_leaves_the_page_to_render_as_without_a_cache():
    url = make_tip(title="Rendered anyway").get_absolute_url()
    with mock.patch.object(pagecache.cache, "get_many", side_effect=OperationalError):
        response = Client().get(url)
    assert response.status_code == 200
    assert "X-Page-Cache" not in response
    assert "Rendered anyway" in response.content.decode()
    for name in SECURITY:
        assert name in response, name
