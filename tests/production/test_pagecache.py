"""Anonymous readers get cached pages, never more than a moment behind what they show."""

import contextlib
import datetime
import gzip
import re
import secrets
import threading
import time
import zlib
from concurrent.futures import ThreadPoolExecutor
from unittest import mock

import pytest
from django.conf import settings
from django.core import signing
from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from comments.models import Comment
from tests.factories import comment_data, make_comment, make_tip
from tests.production.test_failures import run_site
from tips.models import SearchMiss, Tip
from tips.views import TipView
from tipsite import pagecache
from tipsite.antispam import TOKEN_SALT
from tipsite.settings.env import env_float

# Real commits: the cache is told about changes once they are committed.
pytestmark = pytest.mark.django_db(transaction=True)


# As in production with Redis: each worker keeps what it has just served (tipsite/settings/base.py).
RECENT_PAGES = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "recent-pages-test",
}


@pytest.fixture(autouse=True)
def _page_cache(settings):
    settings.PAGE_CACHE_SECONDS = 600
    settings.CACHES = {**settings.CACHES, pagecache.RECENT: RECENT_PAGES}
    settings.PAGE_CACHE_RECHECK_SECONDS = 1.0
    caches[pagecache.RECENT].clear()


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


def test_a_cached_page_holds_no_csrf_secret_and_each_reader_gets_their_own_that_works():
    tip = make_tip()
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    rendered_at = time.time()
    later = rendered_at + 60
    pages = [get(tip.get_absolute_url(), first)]
    with mock.patch("tipsite.pagecache.time.time", return_value=later):
        pages.append(get(tip.get_absolute_url(), second))
    assert [p["X-Page-Cache"] for p in pages] == ["miss", "hit"]
    for page in pages:
        fields = re.findall(r'name="csrfmiddlewaretoken" value="([^"]*)"', page.content.decode())
        # The vote, comment and follow-by-e-mail forms, none with a token.
        assert len(fields) >= 2
        assert set(fields) == {""}
    assert settings.CSRF_COOKIE_NAME not in pages[1].cookies, "a hit makes no token"
    issued = [re.search(r'name="issued" value="([^"]+)"', p.content.decode())[1] for p in pages]
    shown_at = [signing.loads(token, salt=TOKEN_SALT)["at"] for token in issued]
    assert shown_at[0] == pytest.approx(rendered_at, abs=1)
    assert shown_at[1] == pytest.approx(later, abs=0.1), "the time of the visit, not the render"
    assert "\x00" not in pages[1].content.decode()

    # The page's script asks for the reader's token when they start to use a form.
    tokens = [c.get(reverse("form-token")) for c in (first, second)]
    assert all("no-store" in t["Cache-Control"] for t in tokens)
    assert tokens[0].json()["csrf"] != tokens[1].json()["csrf"]
    data = comment_data(
        email="second@example.com", issued=issued[1], csrfmiddlewaretoken=tokens[1].json()["csrf"]
    )
    with mock.patch("tipsite.antispam.time.time", return_value=later + 10):
        response = second.post(reverse("comments:post", args=[tip.pk]), data)
    assert response.status_code == 302
    assert Comment.objects.filter(email="second@example.com").exists()


def test_readers_within_a_tenth_of_a_second_share_one_signed_form_time():
    """Form times are no secret, so a busy page signs one per tenth of a second, not per reader."""
    tip = make_tip()
    moment = time.time()
    with mock.patch("tipsite.pagecache.time.time", return_value=moment):
        pages = [get(tip.get_absolute_url()).content.decode() for _ in range(2)]
    with mock.patch("tipsite.pagecache.time.time", return_value=moment + 0.2):
        pages.append(get(tip.get_absolute_url()).content.decode())
    issued = [re.search(r'name="issued" value="([^"]+)"', page)[1] for page in pages]
    assert issued[0] == issued[1]
    assert issued[2] != issued[1]


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


class CountingCache:
    """The real cache, noting the name of every call made to it directly."""

    def __init__(self, real):
        self.real = real
        self.calls = []

    def __getattr__(self, name):
        method = getattr(self.real, name)

        def counted(*args, **kwargs):
            self.calls.append(name)
            return method(*args, **kwargs)

        return counted


def test_a_hit_is_one_cache_round_trip_answered_before_the_view():
    tip = make_tip()
    get(tip.get_absolute_url())
    spy = CountingCache(pagecache.cache)
    with (
        mock.patch("tipsite.pagecache.cache", spy),
        mock.patch("tips.views.TipView.get_context_data") as view,
    ):
        response = get(tip.get_absolute_url())
    assert response["X-Page-Cache"] == "hit"
    assert spy.calls == ["get_many"]
    assert view.call_count == 0


def test_a_hit_is_answered_above_sessions_csrf_and_conditional_get_with_its_own_length():
    tip = make_tip()
    get(tip.get_absolute_url())
    below = [
        "django.contrib.sessions.middleware.SessionMiddleware.process_request",
        "django.middleware.csrf.CsrfViewMiddleware.process_request",
        "django.middleware.http.ConditionalGetMiddleware.process_response",
        "django.middleware.common.CommonMiddleware.process_response",
    ]
    with contextlib.ExitStack() as stack:
        for name in below:
            stack.enter_context(mock.patch(name, side_effect=AssertionError(name)))
        response = get(tip.get_absolute_url())
    assert response["X-Page-Cache"] == "hit"
    assert int(response["Content-Length"]) == len(response.content)
    again = Client().get(tip.get_absolute_url(), HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304


def test_a_worker_serves_a_hit_again_from_its_memory_without_asking_the_cache():
    tip = make_tip()
    get(tip.get_absolute_url())
    assert get(tip.get_absolute_url())["X-Page-Cache"] == "hit"
    spy = CountingCache(pagecache.cache)
    with mock.patch("tipsite.pagecache.cache", spy), CaptureQueriesContext(connection) as queries:
        response = get(tip.get_absolute_url())
    assert response["X-Page-Cache"] == "hit"
    assert (spy.calls, len(queries)) == ([], 0)
    assert tip.title in response.content.decode()


@pytest.mark.parametrize("seconds", [1.0, 0.25])
def test_a_change_made_by_another_worker_shows_once_this_ones_copy_runs_out(settings, seconds):
    settings.PAGE_CACHE_RECHECK_SECONDS = seconds
    tip = make_tip(title="First Title")
    url = tip.get_absolute_url()
    get(url)
    get(url)
    # Saved through another worker: this one keeps its copy.
    with mock.patch("tipsite.pagecache._forget_recent"):
        tip.title = "Edited Title"
        tip.save()
    assert "First Title" in get(url).content.decode()
    later = time.time() + seconds
    with mock.patch("time.time", return_value=later):
        response = get(url)
    assert response["X-Page-Cache"] == "miss"
    assert "Edited Title" in response.content.decode()


def test_a_change_made_by_this_worker_shows_at_once():
    tip = make_tip(title="First Title")
    url = tip.get_absolute_url()
    get(url)
    get(url)
    tip.title = "Edited Title"
    tip.save()
    assert "Edited Title" in get(url).content.decode()


def test_a_commenter_sees_their_comment_though_a_worker_kept_the_page_without_it(client):
    tip = make_tip()
    make_comment(tip=make_tip(), email="maya@example.com")  # known, so published at once
    url = tip.get_absolute_url()
    get(url)
    get(url)
    key = pagecache.Lookup(RequestFactory().get(url)).key
    kept = caches[pagecache.RECENT].get(key)
    posted = client.post(reverse("comments:post", args=[tip.pk]), comment_data(body="Just posted"))
    assert posted.status_code == 302
    caches[pagecache.RECENT].set(key, kept)  # another worker's copy, still fresh for a moment

    mine = client.get(posted["Location"])
    assert "X-Page-Cache" not in mine
    assert "Just posted" in mine.content.decode()
    assert "Thanks! Your comment is published." in mine.content.decode()
    assert "Just posted" not in get(url).content.decode(), "a stranger there, for a moment"


KEPT_FOR = """
    from django.conf import settings
    kept = "recent_pages" in settings.CACHES
    print(json.dumps({"kept": settings.PAGE_CACHE_RECHECK_SECONDS if kept else None}))
"""


def test_workers_keep_what_they_served_only_beside_a_shared_cache(tmp_path):
    site = {"DATABASE_URL": f"sqlite:///{tmp_path / 'site.sqlite3'}", "REDIS_URL": ""}
    redis = {**site, "REDIS_URL": "redis://127.0.0.1:9/0"}
    assert run_site(KEPT_FOR, **redis)["kept"] == 1.0
    assert run_site(KEPT_FOR, **redis, PAGE_CACHE_RECHECK_SECONDS="0.25")["kept"] == 0.25
    assert run_site(KEPT_FOR, **redis, PAGE_CACHE_RECHECK_SECONDS="0")["kept"] is None
    assert run_site(KEPT_FOR, **site)["kept"] is None, "each worker's cache is its own already"


def test_a_recheck_time_that_is_not_a_number_is_refused_by_name(monkeypatch):
    monkeypatch.setenv("PAGE_CACHE_RECHECK_SECONDS", "soon")
    with pytest.raises(ImproperlyConfigured, match="PAGE_CACHE_RECHECK_SECONDS must be a number"):
        env_float("PAGE_CACHE_RECHECK_SECONDS", 1.0)


def test_views_that_are_not_cached_never_ask_the_cache():
    spy = CountingCache(pagecache.cache)
    with mock.patch("tipsite.pagecache.cache", spy):
        assert get("/robots.txt").status_code == 200
    assert spy.calls == []


def test_a_page_that_is_not_cached_asks_only_whether_the_content_changed():
    """The 404 page's menu of topics is read once per content version; after the first, a
    page not found costs one look at the content version and no query for the menu."""
    get("/no/such/page/here/")
    spy = CountingCache(pagecache.cache)
    with mock.patch("tipsite.pagecache.cache", spy), CaptureQueriesContext(connection) as queries:
        assert get("/no/such/other/page/").status_code == 404
    assert spy.calls == ["get"]
    assert not [q for q in queries.captured_queries if "tips_topic" in q["sql"]]


def test_a_new_comment_rerenders_its_tip_and_the_listings_but_nothing_else(client):
    commented, other = make_tip(), make_tip()
    pages = {
        "commented tip": commented.get_absolute_url(),
        "other tip": other.get_absolute_url(),
        "home": "/",
        "category": commented.category.get_absolute_url(),
        "sitemap": "/sitemap-tips.xml",
        "feed": reverse("feeds:latest"),
    }
    for url in pages.values():
        get(url)
    make_comment(tip=commented, status=Comment.Status.APPROVED, body="Fresh comment")
    from comments.services import tips_refresh_comment_counts

    tips_refresh_comment_counts(tip_ids=[commented.pk])
    states = {name: get(url)["X-Page-Cache"] for name, url in pages.items()}
    assert states == {
        "commented tip": "miss",
        "other tip": "hit",
        "home": "miss",
        "category": "miss",
        "sitemap": "hit",
        "feed": "hit",
    }
    assert "Fresh comment" in get(pages["commented tip"]).content.decode()


def test_one_worker_renders_a_missing_page_while_the_others_wait_for_it():
    tip = make_tip()
    renders = []
    real = TipView.get_context_data

    def slow(self, **kwargs):
        renders.append(1)
        time.sleep(0.3)
        return real(self, **kwargs)

    def reader(_):
        try:
            return get(tip.get_absolute_url())
        finally:
            connection.close()  # each thread's own connection

    with mock.patch.object(TipView, "get_context_data", slow), ThreadPoolExecutor(4) as pool:
        pages = list(pool.map(reader, range(4)))
    assert len(renders) == 1
    assert sorted(p["X-Page-Cache"] for p in pages) == ["hit", "hit", "hit", "miss"]
    assert all(tip.title in p.content.decode() for p in pages)


def test_a_waiting_worker_renders_itself_when_the_render_fails():
    tip = make_tip()
    lookup = pagecache.Lookup(RequestFactory().get(tip.get_absolute_url()))
    pagecache.cache.add(lookup.key + ":rendering", 1, timeout=30)
    threading.Timer(0.2, pagecache.cache.delete, [lookup.key + ":rendering"]).start()
    started = time.monotonic()
    response = get(tip.get_absolute_url())
    assert response.status_code == 200
    assert response["X-Page-Cache"] == "miss"
    assert 0.2 <= time.monotonic() - started < 5


def test_searches_with_results_are_cached_those_without_are_counted_every_time():
    make_tip(title="Basil in pots")
    assert get("/search/?q=basil")["X-Page-Cache"] == "miss"
    assert get("/search/?q=basil")["X-Page-Cache"] == "hit"
    for _ in range(3):
        response = get("/search/?q=oregano")
        assert "X-Page-Cache" not in response
        assert "no-store" in response["Cache-Control"]
    assert SearchMiss.objects.get(query="oregano").count == 3

    make_tip(title="Basil for soups")
    assert "Basil for soups" in get("/search/?q=basil").content.decode()


def test_sitemaps_and_feeds_are_kept_with_their_own_headers_until_the_content_changes():
    tip = make_tip(title="Listed")
    first = get("/sitemap-tips.xml")
    hit = get("/sitemap-tips.xml")
    assert (first["X-Page-Cache"], hit["X-Page-Cache"]) == ("miss", "hit")
    assert hit["X-Robots-Tag"] == first["X-Robots-Tag"] == "noindex, noodp, noarchive"
    assert hit["Content-Type"] == "application/xml"
    assert hit["Last-Modified"] == first["Last-Modified"]
    assert get(reverse("feeds:latest")).content == get(reverse("feeds:latest")).content

    newer = make_tip(title="Also listed")
    assert newer.get_absolute_url() in get("/sitemap-tips.xml").content.decode()
    assert "Also listed" in get(reverse("feeds:latest")).content.decode()
    assert tip.get_absolute_url() in get("/sitemap-tips.xml").content.decode()


def test_each_host_gets_its_own_pages(settings):
    settings.ALLOWED_HOSTS = ["one.example", "two.example"]
    tip = make_tip()
    one = Client(HTTP_HOST="one.example").get(tip.get_absolute_url())
    two = Client(HTTP_HOST="two.example").get(tip.get_absolute_url())
    assert (one["X-Page-Cache"], two["X-Page-Cache"]) == ("miss", "miss")
    assert 'href="http://two.example/' in two.content.decode()
    assert "one.example" not in two.content.decode()


def test_the_content_version_runs_out_at_the_sites_midnight():
    state = pagecache.content_changed()
    midnight = timezone.make_aware(
        datetime.datetime.combine(
            timezone.localdate() + datetime.timedelta(days=1), datetime.time.min
        )
    )
    assert state["expires_at"] == midnight.timestamp()

    tip = make_tip(title="Home page tip")
    get("/")
    assert get("/")["X-Page-Cache"] == "hit", "and kept by this worker"
    with mock.patch("tipsite.pagecache.time.time", return_value=midnight.timestamp() + 1):
        assert get("/")["X-Page-Cache"] == "miss"
    assert tip.pk


def test_remembered_values_last_until_the_content_changes():
    computed = []

    def compute():
        computed.append(1)
        return len(computed)

    assert pagecache.remember("answer", compute) == 1
    assert pagecache.remember("answer", compute) == 1
    make_tip()  # a change readers see
    assert pagecache.remember("answer", compute) == 2


def counter():
    computed = []

    def compute():
        computed.append(1)
        return len(computed)

    return compute


def test_a_worker_keeps_remembered_values_and_asks_the_cache_no_more():
    compute = counter()
    assert pagecache.remember("answer", compute) == 1
    asked = []
    shared_get = pagecache.cache.get
    noted = lambda key: asked.append(key) or shared_get(key)  # noqa: E731
    with mock.patch.object(pagecache.cache, "get", noted):
        assert pagecache.remember("answer", compute) == 1
    assert asked == [pagecache.STATE_KEY]  # only whether the content changed


def test_a_value_cheaper_to_compute_than_to_fetch_is_kept_by_each_worker_alone():
    compute = counter()
    stored = []
    shared_set = pagecache.cache.set
    noted = lambda key, *args, **kwargs: stored.append(key) or shared_set(key, *args, **kwargs)  # noqa: E731
    with mock.patch.object(pagecache.cache, "set", noted):
        assert pagecache.remember("menu", compute, shared=False) == 1
        assert pagecache.remember("menu", compute, shared=False) == 1
    assert not [key for key in stored if "menu" in key]  # nothing in the shared cache
    pagecache._remembered.clear()  # another worker: it computes its own
    assert pagecache.remember("menu", compute, shared=False) == 2
    make_tip()  # a change readers see
    assert pagecache.remember("menu", compute, shared=False) == 3


def test_a_workers_kept_values_give_way_when_another_process_changes_the_content():
    compute = counter()
    assert pagecache.remember("answer", compute) == 1
    # What a management command or another server does: a new version in the shared cache.
    state = pagecache.cache.get(pagecache.STATE_KEY)
    pagecache.cache.set(pagecache.STATE_KEY, {**state, "version": "another"}, timeout=None)
    assert pagecache.remember("answer", compute) == 2


def test_a_workers_kept_value_lasts_no_longer_than_the_shared_one():
    compute = counter()
    assert pagecache.remember("answer", compute, timeout=60) == 1
    state = pagecache.current_state()
    pagecache.cache.clear()  # the shared copy ran out
    pagecache.cache.set(pagecache.STATE_KEY, state, timeout=None)
    assert pagecache.remember("answer", compute, timeout=60) == 1
    later = time.monotonic() + 61
    with mock.patch("tipsite.pagecache.time.monotonic", return_value=later):
        assert pagecache.remember("answer", compute, timeout=60) == 2


def test_a_worker_keeps_only_its_most_recently_used_values(monkeypatch):
    monkeypatch.setattr(pagecache._Remembered, "SIZE", 2)
    monkeypatch.setattr(pagecache, "_remembered", pagecache._Remembered())
    for name in ("first", "second", "third"):
        pagecache.remember(name, lambda name=name: name)
    version = pagecache.current_state()["version"]
    assert pagecache._remembered.get(f"pagecache:value:{version}:first") is None
    assert len(pagecache._remembered._values) == 2


def test_without_the_page_cache_values_are_computed_every_time(settings):
    settings.PAGE_CACHE_SECONDS = 0
    computed = []
    for _ in range(2):
        pagecache.remember("answer", lambda: computed.append(1) or len(computed))
    assert len(computed) == 2


def test_what_an_older_release_left_in_the_cache_is_never_served():
    tip = make_tip()
    pagecache.cache.set(pagecache.STATE_KEY, {"version": "old", "expires_at": None})
    assert get(tip.get_absolute_url()).status_code == 200
    lookup = pagecache.Lookup(RequestFactory().get(tip.get_absolute_url()))
    pagecache.cache.set(lookup.key, {"content": "stale page", "etag": "x"})
    response = get(tip.get_absolute_url())
    assert response["X-Page-Cache"] == "miss"
    assert "stale page" not in response.content.decode()


def test_pages_without_forms_are_sent_compressed_to_clients_that_accept_it():
    tip = make_tip(title="Squeezed")
    url = tip.category.get_absolute_url()
    plain = get(url)
    packed = Client().get(url, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert packed["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.content) == plain.content
    assert "Squeezed" in plain.content.decode()
    assert "Content-Encoding" not in plain
    assert "Accept-Encoding" in plain["Vary"]
    assert "Accept-Encoding" in packed["Vary"]


def test_pages_with_forms_are_sent_compressed_and_only_their_form_times_are_filled_in():
    tip = make_tip()
    make_comment(tip=tip, body="Text a visitor chose, on a page with forms.")
    moment = time.time()
    with mock.patch("tipsite.pagecache.time.time", return_value=moment):
        responses = [Client().get(tip.get_absolute_url(), HTTP_ACCEPT_ENCODING="gzip")
                     for _ in range(3)]  # fmt: skip
        plain = Client().get(tip.get_absolute_url()).content
    with mock.patch("tipsite.pagecache.time.time", return_value=moment + 1):
        later = Client().get(tip.get_absolute_url(), HTTP_ACCEPT_ENCODING="gzip")
    assert [r["X-Page-Cache"] for r in responses] == ["miss", "hit", "hit"]
    for response in responses:
        assert response["Content-Encoding"] == "gzip"
        assert "Accept-Encoding" in response["Vary"]
        assert gzip.decompress(response.content) == plain
    assert responses[1].content == responses[2].content, "the same for everyone at one moment"
    assert len(responses[1].content) < len(plain) / 2
    # A moment later, the form times differ: they went in uncompressed, as they are.
    issued = re.findall(rb'name="(?:vote-)?issued" value="([^"]+)"', gzip.decompress(later.content))
    assert len(issued) == 2
    assert all(later.content.count(token) == 1 for token in issued)


def test_workers_that_find_no_state_agree_on_one():
    first = pagecache._fresh(None)
    assert pagecache._fresh(None) == first, "the second finds the first one's state"


def test_workers_agree_on_what_follows_an_expired_state():
    expired = {"version": "v1", "changed_at": 1.0, "expires_at": time.time() - 1}
    successors = []
    for _ in range(2):  # two workers, each reading the expired state
        pagecache.cache.set(pagecache.STATE_KEY, expired)
        successors.append(pagecache._fresh(expired))
    assert successors[0] == successors[1]
    assert successors[0]["version"] != "v1"
    assert successors[0]["changed_at"] == expired["expires_at"]


@pytest.mark.parametrize("fills", [[], [b""], [b"token"], [b"x" * 70_000, b"y"]])
def test_a_page_and_its_fills_unpack_to_the_page_with_them_in_place(fills):
    text = [f"<p>part {n} of the page, with words the parts share</p>".encode()
            for n in range(len(fills) + 1)]  # fmt: skip
    entry = {"text": text, "deflated": pagecache._deflate_apart(text),
             "crc": zlib.crc32(text[0]), "size": len(text[0])}  # fmt: skip
    expected = b"".join(piece for pair in zip(text, [*fills, b""], strict=True) for piece in pair)
    assert gzip.decompress(pagecache._gzip_around(entry, fills)) == expected


@pytest.mark.parametrize("fills", [[], [b"token"]])
def test_a_page_as_big_as_a_sitemap_file_is_kept_compressed_and_unpacks_with_its_fills(fills):
    """Big pages are compressed at a faster level (pagecache.BIG_PAGE): still to a fraction of
    their size, and still in parts that the fills join up."""
    url = "<url><loc>https://example.org/topic/category/tip-{n}/</loc></url>\n"
    text = ["".join(url.format(n=n) for n in range(part, 4_000, 2)).encode() for part in range(2)]
    text = text[: len(fills) + 1]
    assert sum(map(len, text)) >= pagecache.BIG_PAGE
    deflated = pagecache._deflate_apart(text)
    entry = {"text": text, "deflated": deflated, "crc": zlib.crc32(text[0]), "size": len(text[0])}
    expected = b"".join(piece for pair in zip(text, [*fills, b""], strict=True) for piece in pair)
    assert gzip.decompress(pagecache._gzip_around(entry, fills)) == expected
    assert sum(map(len, deflated)) < sum(map(len, text)) / 5


def stored_pages() -> int:
    """How many pages the shared cache holds: Redis is asked by pattern, memory read directly."""
    if hasattr(pagecache.cache, "keys"):  # django-redis
        keys = pagecache.cache.keys("pagecache:page:*")
    else:  # LocMemCache keeps each key as ":<version>:<key>"
        keys = [key.split(":", 2)[2] for key in pagecache.cache._cache]
    return sum(key.startswith("pagecache:page:") and not key.endswith(":rendering") for key in keys)


JUNK_PARAMS = ("utm_source", "fbclid", "gclid", "x")


@pytest.mark.parametrize("page", ["home", "topic", "tip"])
def test_parameters_a_page_does_not_read_share_its_one_cached_copy(page):
    """Strangers adding tracking or random parameters cannot fill the cache with copies."""
    tip = make_tip(title="Shared by every visitor")
    url = {"home": "/", "topic": tip.category.topic.get_absolute_url(),
           "tip": tip.get_absolute_url()}[page]  # fmt: skip
    assert get(url)["X-Page-Cache"] == "miss"
    assert stored_pages() == 1
    states = set()
    for n in range(48):
        response = get(f"{url}?{JUNK_PARAMS[n % 4]}={secrets.token_hex(8)}&utm_medium={n}")
        states.add(response["X-Page-Cache"])
        assert "Shared by every visitor" in response.content.decode()
    assert states == {"hit"}
    assert stored_pages() == 1


def test_parameters_a_page_reads_still_get_their_own_pages(settings):
    """The page number of a listing and a search's words each keep a page of their own."""
    settings.TIPS_PER_PAGE = 2
    older = make_tip(title="Oldest basil", publish_at=timezone.now() - datetime.timedelta(days=3))
    for title in ("Middle basil", "Newest basil"):
        make_tip(category=older.category, title=title)
    make_tip(title="Thyme cuttings")
    url = older.category.get_absolute_url()
    first, second = get(url), get(f"{url}?page=2")
    assert (first["X-Page-Cache"], second["X-Page-Cache"]) == ("miss", "miss")
    assert "Oldest basil" not in first.content.decode()
    assert "Oldest basil" in second.content.decode()
    again = get(f"{url}?utm_source=mail&page=2&fbclid=abc")
    assert again["X-Page-Cache"] == "hit"
    assert "Oldest basil" in again.content.decode()

    basil, thyme = get("/search/?q=basil"), get("/search/?q=thyme")
    assert (basil["X-Page-Cache"], thyme["X-Page-Cache"]) == ("miss", "miss")
    assert "Thyme cuttings" in thyme.content.decode()
    assert "Thyme cuttings" not in basil.content.decode()
    assert get("/search/?gclid=1&q=thyme")["X-Page-Cache"] == "hit"
    assert get("/search/?q=++thyme+")["X-Page-Cache"] == "hit", "the same words, spaced apart"


def test_a_strangers_parameters_never_show_in_a_page_served_to_others(settings):
    """Pagination links, the canonical address and the search box hold only what the page reads."""
    settings.TIPS_PER_PAGE = 1
    tip = make_tip()
    make_tip(category=tip.category)
    url = tip.category.get_absolute_url()
    junk = f"{url}?page=2&utm_source=junk-from-a-stranger&q=spam-words"
    assert "junk-from-a-stranger" not in get(junk).content.decode()
    served = get(f"{url}?page=2")
    assert served["X-Page-Cache"] == "hit"
    html = served.content.decode()
    assert 'href="?page=1" rel="prev"' in html
    assert "junk-from-a-stranger" not in html
    assert "spam-words" not in html, "the search box is filled only on the search page"

    get("/?q=spam-words&page=4")
    home = get("/")
    assert home["X-Page-Cache"] == "hit"
    assert "spam-words" not in home.content.decode()
    assert '<link rel="canonical" href="http://testserver/">' in home.content.decode()
