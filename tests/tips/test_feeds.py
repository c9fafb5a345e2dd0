import datetime
import re

import feedparser
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_category, make_guru, make_tip, make_topic
from tips.models import Tip

pytestmark = pytest.mark.django_db

FEED_NAMES = ["latest", "latest-atom", "topic", "topic-atom", "category", "category-atom"]


def feed_url(name: str, category) -> str:
    """The address of feed ``name`` whose scope includes ``category``."""
    scope = name.removesuffix("-atom")
    args = {
        "latest": [],
        "topic": [category.topic.slug],
        "category": [category.topic.slug, category.slug],
    }[scope]
    return reverse(f"feeds:{name}", args=args)


def read_feed(client, url: str) -> feedparser.FeedParserDict:
    response = client.get(url)
    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.version == ("atom10" if url.endswith("/atom/") else "rss20")
    return feed


def titles(feed) -> list[str]:
    return [entry.title for entry in feed.entries]


def test_network_rss_feed_has_its_fixed_address():
    assert reverse("feeds:latest") == "/feeds/latest/"


@pytest.mark.parametrize("name", FEED_NAMES)
def test_feed_lists_the_twenty_newest_tips_newest_first(client, name):
    category = make_category()
    now = timezone.now()
    tips = [
        make_tip(category=category, publish_at=now - datetime.timedelta(hours=i))
        for i in range(1, 26)
    ]

    feed = read_feed(client, feed_url(name, category))

    assert titles(feed) == [tip.title for tip in tips[:20]]


@pytest.mark.parametrize("name", FEED_NAMES)
@pytest.mark.parametrize(
    "hidden",
    [
        {"status": Tip.Status.DRAFT},
        {"publish_at": timezone.now() + datetime.timedelta(days=2)},
    ],
    ids=["draft", "scheduled"],
)
def test_feeds_never_show_tips_that_are_not_public(client, name, hidden):
    live = make_tip(title="Live tip")
    make_tip(category=live.category, title="Hidden tip", **hidden)

    assert titles(read_feed(client, feed_url(name, live.category))) == ["Live tip"]


@pytest.mark.parametrize("atom", [False, True], ids=["rss", "atom"])
def test_topic_and_category_feeds_hold_only_their_own_tips(client, atom):
    topic = make_topic()
    category, sibling = make_category(topic=topic), make_category(topic=topic)
    in_category = make_tip(category=category, title="In the category")
    in_sibling = make_tip(category=sibling, title="In a sibling category")
    make_tip(title="In another topic")
    suffix = "-atom" if atom else ""

    topic_feed = read_feed(client, feed_url(f"topic{suffix}", category))
    category_feed = read_feed(client, feed_url(f"category{suffix}", category))
    network_feed = read_feed(client, feed_url(f"latest{suffix}", category))

    assert sorted(titles(topic_feed)) == sorted([in_category.title, in_sibling.title])
    assert titles(category_feed) == [in_category.title]
    assert len(network_feed.entries) == 3


@pytest.mark.parametrize("atom", [False, True], ids=["rss", "atom"])
def test_feed_item_carries_the_whole_tip(client, atom):
    guru = make_guru(name="Joe Wallace")
    tip = make_tip(
        guru=guru,
        title="Salt & pepper <basics>",
        question="Is 2 < 3?",
        body="Season **early**.",
    )
    url = feed_url("latest-atom" if atom else "latest", tip.category)

    entry = read_feed(client, url).entries[0]

    assert entry.title == "Salt & pepper <basics>"
    assert entry.link == f"http://testserver{tip.get_absolute_url()}"
    assert entry.author == "Joe Wallace"
    assert entry.summary == "<p>Is 2 &lt; 3?</p><p>Season <strong>early</strong>.</p>"
    assert entry.published_parsed == tip.publish_at.utctimetuple()
    if atom:
        assert entry.updated_parsed == tip.updated_at.utctimetuple()


def test_feed_item_of_a_tip_without_a_guru_names_no_author(client):
    tip = make_tip(guru=None)
    assert "author" not in read_feed(client, feed_url("latest", tip.category)).entries[0]


def test_feed_titles_name_the_site_and_scope(client, settings):
    settings.SITE_NAME = "HandyHints"
    topic = make_topic(name="Gardening")
    category = make_category(topic=topic, name="Tomatoes")

    assert read_feed(client, feed_url("latest", category)).feed.title == "HandyHints: latest tips"
    assert read_feed(client, feed_url("topic-atom", category)).feed.title == (
        "Gardening Tips | HandyHints"
    )
    assert read_feed(client, feed_url("category", category)).feed.title == (
        "Tomatoes | Gardening Tips | HandyHints"
    )
    atom = read_feed(client, feed_url("category-atom", category)).feed
    assert atom.link == f"http://testserver{category.get_absolute_url()}"
    assert atom.subtitle == "The newest Tomatoes tips from the Gardening tip site."


@pytest.mark.parametrize("name", ["category", "category-atom"])
def test_category_feed_under_another_topic_is_404(client, name):
    category = make_category()
    make_tip(category=category)
    other_topic = make_topic()
    url = reverse(f"feeds:{name}", args=[other_topic.slug, category.slug])
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("name", ["topic", "topic-atom"])
def test_feed_of_an_unknown_topic_is_404(client, name):
    assert client.get(reverse(f"feeds:{name}", args=["no-such-topic"])).status_code == 404


def alternate_links(html: str) -> list[str]:
    return re.findall(r'<link rel="alternate"[^>]*>', html)


def test_pages_announce_their_feeds_and_the_feeds_answer(client):
    tip = make_tip()
    category = tip.category
    pages = {
        "/": ("latest", "latest-atom"),
        category.topic.get_absolute_url(): ("topic", "topic-atom"),
        category.get_absolute_url(): ("category", "category-atom"),
    }
    for page, (rss, atom) in pages.items():
        links = alternate_links(client.get(page).content.decode())
        assert len(links) == 2, page
        assert 'type="application/rss+xml"' in links[0]
        assert f'href="{feed_url(rss, category)}"' in links[0]
        assert 'type="application/atom+xml"' in links[1]
        assert f'href="{feed_url(atom, category)}"' in links[1]
        for name in (rss, atom):
            assert read_feed(client, feed_url(name, category)).entries[0].title == tip.title


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("name", FEED_NAMES)
def test_feed_query_count_does_not_grow_with_tips(client, name):
    category = make_category()

    def add_tips(n: int) -> None:
        for _ in range(n):
            make_tip(category=category, guru=make_guru(topics=[category.topic]))

    add_tips(3)
    with_three = count_queries(client, feed_url(name, category))
    add_tips(27)
    assert count_queries(client, feed_url(name, category)) == with_three
