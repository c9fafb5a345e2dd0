import datetime
import zoneinfo
from xml.etree import ElementTree

import pytest
from django.contrib.sitemaps.views import sitemap as django_sitemap
from django.db import connection
from django.http import Http404
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import make_category, make_guru, make_tip, make_topic
from tips.models import Tip
from tips.sitemaps import TipSitemap, local_days

pytestmark = pytest.mark.django_db

SITEMAP_NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}
SECTIONS = ["home", "tips", "topics", "categories", "gurus"]


def read_sitemap(client, url: str) -> dict[str, str | None]:
    """Each ``<loc>`` of a sitemap or sitemap index, with its ``<lastmod>``."""
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml"
    root = ElementTree.fromstring(response.content)  # noqa: S314 (the site's own output)
    return {
        entry.findtext("sm:loc", namespaces=SITEMAP_NS): entry.findtext(
            "sm:lastmod", namespaces=SITEMAP_NS
        )
        for entry in root
    }


def django_entries(page: int) -> list[tuple[str, str | None]] | int:
    """What Django's own ``sitemap`` view lists on this page of the tips section (or 404)."""
    request = RequestFactory().get("/sitemap-tips.xml", {"p": page})
    try:
        response = django_sitemap(request, sitemaps={"tips": TipSitemap}, section="tips")
    except Http404:
        return 404
    root = ElementTree.fromstring(response.render().content)  # noqa: S314 (Django's own)
    return [
        (
            entry.findtext("sm:loc", namespaces=SITEMAP_NS),
            entry.findtext("sm:lastmod", namespaces=SITEMAP_NS),
        )
        for entry in root
    ]


def our_entries(client, page: int) -> list[tuple[str, str | None]] | int:
    response = client.get("/sitemap-tips.xml", {"p": page})
    if response.status_code == 404:
        return 404
    return list(read_sitemap(client, f"/sitemap-tips.xml?p={page}").items())


def absolute(page) -> str:
    return f"http://testserver{page.get_absolute_url()}"


def day(moment: datetime.datetime) -> str:
    """How a section file writes ``lastmod``: the date in the site's time zone."""
    return timezone.localdate(moment).isoformat()


@pytest.fixture
def network():
    """One public tip, next to pages that only have hidden tips or none at all."""
    topic = make_topic()
    category = make_category(topic=topic)
    guru = make_guru(topics=[topic])
    tip = make_tip(category=category, guru=guru)
    hidden = {
        "draft": make_tip(category=make_category(), guru=make_guru(), status=Tip.Status.DRAFT),
        "scheduled": make_tip(
            category=make_category(),
            guru=make_guru(),
            publish_at=timezone.now() + datetime.timedelta(days=2),
        ),
    }
    empty = {
        "topic": make_topic(),
        "category": make_category(topic=topic),
        "guru": make_guru(topics=[topic]),
    }
    return {"tip": tip, "hidden": hidden, "empty": empty}


def test_sitemap_index_lists_every_section_with_its_lastmod(client, network):
    index = read_sitemap(client, "/sitemap.xml")

    assert list(index) == [f"http://testserver/sitemap-{section}.xml" for section in SECTIONS]
    updated = network["tip"].updated_at
    assert all(datetime.datetime.fromisoformat(lastmod) == updated for lastmod in index.values())


def test_sections_list_exactly_the_public_pages_with_lastmod(client, network):
    tip = network["tip"]
    lastmod = day(tip.updated_at)

    assert read_sitemap(client, "/sitemap-home.xml") == {"http://testserver/": lastmod}
    assert read_sitemap(client, "/sitemap-tips.xml") == {absolute(tip): lastmod}
    assert read_sitemap(client, "/sitemap-topics.xml") == {absolute(tip.category.topic): lastmod}
    assert read_sitemap(client, "/sitemap-categories.xml") == {absolute(tip.category): lastmod}
    assert read_sitemap(client, "/sitemap-gurus.xml") == {absolute(tip.guru): lastmod}


def test_pages_with_only_hidden_tips_or_none_are_left_out(client, network):
    listed = set()
    for section in SECTIONS:
        listed |= set(read_sitemap(client, f"/sitemap-{section}.xml"))

    for hidden in network["hidden"].values():
        for page in (hidden, hidden.category, hidden.category.topic, hidden.guru):
            assert absolute(page) not in listed
    for page in network["empty"].values():
        assert absolute(page) not in listed


def test_lastmod_is_the_newest_change_among_public_tips(client):
    category = make_category()
    guru = make_guru()
    now = timezone.now()
    older = make_tip(category=category, guru=guru, publish_at=now - datetime.timedelta(days=9))
    newer = make_tip(category=category, guru=guru, publish_at=now - datetime.timedelta(days=8))
    make_tip(category=category, guru=guru, status=Tip.Status.DRAFT)  # edited today, not public
    Tip.objects.filter(pk=older.pk).update(updated_at=now - datetime.timedelta(days=5))
    Tip.objects.filter(pk=newer.pk).update(updated_at=now - datetime.timedelta(days=7))

    expected = day(now - datetime.timedelta(days=5))
    assert read_sitemap(client, "/sitemap-categories.xml") == {absolute(category): expected}
    assert read_sitemap(client, "/sitemap-topics.xml") == {absolute(category.topic): expected}
    assert read_sitemap(client, "/sitemap-gurus.xml") == {absolute(guru): expected}
    assert read_sitemap(client, "/sitemap-home.xml") == {"http://testserver/": expected}


def test_a_scheduled_tip_going_live_counts_as_a_change(client):
    """A scheduled tip is not saved again when it goes live; its publish time is the change."""
    now = timezone.now()
    tip = make_tip(publish_at=now - datetime.timedelta(hours=1))
    Tip.objects.filter(pk=tip.pk).update(updated_at=now - datetime.timedelta(days=3))

    expected = day(tip.publish_at)
    assert read_sitemap(client, "/sitemap-tips.xml") == {absolute(tip): expected}
    assert read_sitemap(client, "/sitemap-categories.xml") == {absolute(tip.category): expected}


def test_long_sections_continue_on_numbered_pages(client, monkeypatch):
    monkeypatch.setattr(TipSitemap, "limit", 2)
    tips = [make_tip() for _ in range(3)]

    index = read_sitemap(client, "/sitemap.xml")
    first = read_sitemap(client, "/sitemap-tips.xml")
    second = read_sitemap(client, "/sitemap-tips.xml?p=2")

    assert "http://testserver/sitemap-tips.xml" in index
    assert "http://testserver/sitemap-tips.xml?p=2" in index
    assert "http://testserver/sitemap-tips.xml?p=3" not in index
    assert list(first) == [absolute(tip) for tip in tips[:2]]
    assert list(second) == [absolute(tips[2])]
    assert client.get("/sitemap-tips.xml?p=3").status_code == 404


def test_unknown_section_is_404(client):
    assert client.get("/sitemap-nothing.xml").status_code == 404


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_sitemap_query_counts_do_not_grow_with_tips(client):
    urls = ["/sitemap.xml", *(f"/sitemap-{section}.xml" for section in SECTIONS)]

    def add_tips(n: int) -> None:
        # Each tip in its own topic, category and by its own guru: every section grows.
        for _ in range(n):
            make_tip(guru=make_guru())

    add_tips(3)
    with_three = [count_queries(client, url) for url in urls]
    add_tips(27)
    assert [count_queries(client, url) for url in urls] == with_three


def test_robots_txt_allows_all_but_the_admin_and_names_the_sitemap(client):
    response = client.get("/robots.txt")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain"
    assert response.content.decode().splitlines() == [
        "User-agent: *",
        "Disallow: /admin/",
        "Sitemap: http://testserver/sitemap.xml",
    ]
    assert client.post("/robots.txt").status_code == 405


def test_every_tip_is_listed_at_its_own_address(client):
    tips = [make_tip(), make_tip(category=make_category(slug="odd_slug-2")), make_tip()]
    listed = read_sitemap(client, "/sitemap-tips.xml")
    assert list(listed) == [absolute(tip) for tip in tips]


def test_the_tips_section_writes_what_djangos_sitemap_view_writes(client, monkeypatch):
    """Written from rows, the long section lists the addresses and dates Django's own
    ``sitemap`` view lists for the same sitemap, page by page, and ends where it does."""
    monkeypatch.setattr(TipSitemap, "limit", 2)
    now = timezone.now()
    for days in (30, 3, 400):
        make_tip(
            category=make_category(slug=f"odd_slug-{days}"),
            publish_at=now - datetime.timedelta(days=days),
        )
    make_tip(status=Tip.Status.DRAFT)

    for page in (1, 2, 3):
        assert our_entries(client, page) == django_entries(page)
    assert client.get("/sitemap-tips.xml", {"p": "x"}).status_code == 404
    assert client.get("/sitemap-tips.xml", {"p": "0"}).status_code == 404
    assert client.get("/sitemap-tips.xml", {"p": "9" * 30}).status_code == 404


def test_days_are_the_sites_days_around_midnight_and_summer_time(client, settings):
    """A tip's day is the day in the site's time zone, also in the hour summer time skips or
    repeats, and a moment either side of midnight."""
    settings.TIME_ZONE = "America/New_York"
    utc = datetime.UTC
    moments = [
        datetime.datetime(2025, 3, 9, 4, 59, 59, tzinfo=utc),  # 23:59:59 EST, the 8th
        datetime.datetime(2025, 3, 9, 5, 0, tzinfo=utc),  # midnight EST
        datetime.datetime(2025, 3, 9, 7, 0, tzinfo=utc),  # 03:00 EDT, summer time began
        datetime.datetime(2025, 11, 2, 3, 59, 59, 999_999, tzinfo=utc),  # last moment of the 1st
        datetime.datetime(2025, 11, 2, 4, 0, tzinfo=utc),  # midnight EDT
        datetime.datetime(2025, 11, 2, 6, 30, tzinfo=utc),  # 01:30 EST, the repeated hour
        datetime.datetime(2025, 7, 1, 3, 59, 59, 500_000, tzinfo=utc),  # 23:59:59.5 EDT
        datetime.datetime(2025, 12, 31, 23, 59, tzinfo=utc),  # 18:59 EST
    ]
    for moment in moments:
        tip = make_tip(publish_at=moment)
        Tip.objects.filter(pk=tip.pk).update(updated_at=moment)

    listed = [lastmod for _, lastmod in our_entries(client, 1)]

    assert listed == [day(moment) for moment in moments]
    assert listed[:3] == ["2025-03-08", "2025-03-09", "2025-03-09"]
    assert our_entries(client, 1) == django_entries(1)


@pytest.mark.parametrize(
    "name",
    [
        "America/New_York",
        "America/Santiago",
        "Asia/Kolkata",
        "Australia/Lord_Howe",
        "Pacific/Chatham",
        "UTC",
    ],
)
def test_local_days_are_the_days_timezone_gives_for_any_utc_time(name):
    """Every quarter hour of a year and a few seconds (so every time of day comes up), and the
    moments around each local midnight, in zones east and west of UTC, with offsets in half and
    quarter hours, a half-hour summer time (Lord Howe) and one that ends at midnight, so the
    day goes back (Santiago), written as SQLite and PostgreSQL write them."""
    zone = zoneinfo.ZoneInfo(name)
    day = local_days(zone)
    start = datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC)
    moments = [start + datetime.timedelta(minutes=15, seconds=7) * n for n in range(36_000)]
    for n in range(370):
        midnight = datetime.datetime.combine(
            datetime.date(2025, 1, 1) + datetime.timedelta(days=n), datetime.time(), tzinfo=zone
        )
        moments += [midnight + datetime.timedelta(microseconds=delta) for delta in (-1, 0, 1)]
    for moment in moments:
        expected = timezone.localdate(moment, zone).isoformat()
        utc = moment.astimezone(datetime.UTC)
        sqlite = utc.replace(tzinfo=None).isoformat(" ")
        postgresql = utc.isoformat(" ").replace("+00:00", "+00")
        assert (day(sqlite), day(postgresql)) == (expected, expected), moment


@pytest.mark.django_db(transaction=True)
def test_files_read_in_any_order_are_djangos_while_the_cache_keeps_where_they_start(
    client, settings, monkeypatch
):
    """With the page cache on, a file read after the one before it starts where that one
    ended, as a range of the index; one read out of order skips the earlier tips; either way,
    and after a change moves where files start, each lists what Django's view lists."""
    settings.PAGE_CACHE_SECONDS = 600
    monkeypatch.setattr(TipSitemap, "limit", 2)
    tips = [make_tip() for _ in range(7)]

    def read(page: int) -> tuple[list | int, bool]:
        """The file's entries, and whether the database was asked to skip rows for it."""
        with CaptureQueriesContext(connection) as queries:
            entries = our_entries(client, page)
        return entries, any("OFFSET" in query["sql"] for query in queries)

    assert read(1) == (django_entries(1), False)
    assert read(2) == (django_entries(2), False)  # where 1 ended
    assert read(4) == (django_entries(4), True)  # nothing read before it
    assert read(3) == (django_entries(3), False)  # where 2 ended
    assert read(5) == (404, True)

    tips[0].status = Tip.Status.DRAFT
    tips[0].save()  # a new content version: every file starts one tip later
    assert [read(page)[0] for page in (3, 2, 1, 4)] == [
        django_entries(page) for page in (3, 2, 1)
    ] + [404]
    assert django_entries(4) == 404


def test_a_slug_saved_past_validation_is_escaped_as_djangos_view_escapes_it(client):
    tip = make_tip()
    Tip.objects.filter(pk=tip.pk).update(slug="fish&chips<1>")

    entries = our_entries(client, 1)

    assert entries == django_entries(1)
    assert entries[0][0].endswith("/fish&chips<1>/")
