"""Finding one's way: every page offers a request, dates readers' tools accept, odd searches."""

import datetime
import re

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from comments.services import tips_refresh_comment_counts
from tests.factories import make_category, make_comment, make_guru, make_tip, make_topic
from tips import views
from tips.models import Tip

pytestmark = pytest.mark.django_db

# HTML's "valid global date and time string" with at most three fractional digits, or a date.
HTML_DATETIME = re.compile(r"\d{4}-\d\d-\d\d(T\d\d:\d\d(:\d\d(\.\d{1,3})?)?(Z|[+-]\d\d:?\d\d))?")


def test_every_datetime_attribute_is_one_html_accepts(client):
    """Comment and publish times carry microseconds; the page writes them to the second."""
    tip = make_tip(guru=make_guru())
    make_comment(tip=tip, body="Worked for me.")
    tips_refresh_comment_counts(tip_ids=[tip.pk])
    for url in (tip.get_absolute_url(), tip.category.get_absolute_url(), "/"):
        html = client.get(url).content.decode()
        stamps = re.findall(r'datetime="([^"]*)"', html)
        assert stamps, url
        assert [s for s in stamps if not HTML_DATETIME.fullmatch(s)] == [], url
    assert "Worked for me." in client.get(tip.get_absolute_url()).content.decode()


def test_a_search_without_any_word_still_answers(client):
    """`*` has no word to look for: the page says nothing matches instead of showing nothing."""
    make_tip(title="Massage Oil")
    html = client.get("/search/", {"q": "*"}).content.decode()
    assert "No tips match “*”" in html
    assert "0 tips found" in html


def test_request_a_tip_is_offered_on_every_page(client):
    guru = make_guru(name="Ada Guru")
    tip = make_tip(title="Massage Oil", guru=guru)
    for url in (
        "/",
        guru.get_absolute_url(),
        "/search/?q=massage",
        "/search/?q=zebra",
        "/search/",
        tip.category.topic.get_absolute_url(),
        tip.category.get_absolute_url(),
        tip.get_absolute_url(),
    ):
        html = client.get(url).content.decode()
        assert html.count("Request a Tip Now!</a>") == 1, url
    home = client.get("/").content.decode()
    assert 'href="/request-a-tip/">Request a Tip Now!' in home
    assert "Not finding the advice and tips you need on LifeTips?" in home


def days_ago(days: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days)


@pytest.fixture
def voted():
    """Five tips of one topic over two categories, with the votes readers gave them."""
    topic = make_topic(name="Massage Therapy", slug="massage-therapy")
    first, second = make_category(topic=topic), make_category(topic=topic)
    guru = make_guru(topics=[topic])
    votes = {  # title: (yes, no), from the newest tip to the oldest
        "Nobody voted": (0, 0),
        "Half helped": (3, 3),
        "All five helped": (5, 0),
        "Four of four": (4, 0),
        "Nine of ten": (9, 1),
    }
    for age, (title, (yes, no)) in enumerate(votes.items(), start=1):
        make_tip(category=first if age % 2 else second, guru=guru, title=title,
                 publish_at=days_ago(age), helpful_yes=yes, helpful_no=no)  # fmt: skip
    make_tip(title="Another topic's tip", helpful_yes=50)
    make_tip(category=first, title="A draft", status=Tip.Status.DRAFT, helpful_yes=50)
    return topic


def card_titles(html: str) -> list[str]:
    return re.findall(r'<h3 class="tip-card__title"><a href="[^"]*">([^<]*)</a>', html)


NEWEST = ["Nobody voted", "Half helped", "All five helped", "Four of four", "Nine of ten"]
# Rated tips (5 votes or more) by their share of "Yes"; then the others by their "Yes" votes.
HELPFUL = ["All five helped", "Nine of ten", "Half helped", "Four of four", "Nobody voted"]


def test_a_topic_lists_all_its_tips_newest_or_most_helpful_first(client, voted):
    topic_page = client.get("/massage-therapy/").content.decode()
    assert '<a class="btn btn-outline-primary" href="/massage-therapy/tips/">All 5 Massage ' in (
        topic_page
    )
    html = client.get("/massage-therapy/tips/").content.decode()
    assert "<h1>All Massage Therapy tips</h1>" in html
    assert card_titles(html) == NEWEST
    assert '<a class="sort-links__link" href="?sort=helpful">Most helpful</a>' in html

    html = client.get("/massage-therapy/tips/", {"sort": "helpful"}).content.decode()
    assert card_titles(html) == HELPFUL
    assert "100% found it helpful" in html
    assert "90% found it helpful" in html
    assert "80% found it helpful" not in html, "four votes are too few to show a share"
    assert 'href="?" aria-current' not in html
    assert 'href="?sort=helpful" aria-current="true">Most helpful</a>' in html


def test_categories_and_gurus_sort_the_same_way(client, voted):
    category = voted.categories.order_by("pk").first()
    guru = voted.gurus.get()
    for url, titles in (
        (category.get_absolute_url(), NEWEST[::2]),
        (guru.get_absolute_url(), NEWEST),
    ):
        assert card_titles(client.get(url).content.decode()) == titles
        helpful = [title for title in HELPFUL if title in titles]
        assert card_titles(client.get(url, {"sort": "helpful"}).content.decode()) == helpful


def test_pages_of_a_sorted_listing_keep_their_order(client, voted, settings):
    settings.TIPS_PER_PAGE = 2
    html = client.get("/massage-therapy/tips/", {"sort": "helpful"}).content.decode()
    assert 'href="?sort=helpful&amp;page=2" rel="next"' in html
    html = client.get("/massage-therapy/tips/", {"sort": "helpful", "page": 3}).content.decode()
    assert card_titles(html) == HELPFUL[4:]


@pytest.mark.parametrize("sort", ["oldest", "helpful'--", "x" * 300])
def test_an_order_the_site_does_not_offer_is_not_found(client, voted, sort):
    """As a page number that is not one: no page of its own in the cache for any made-up word."""
    for url in ("/massage-therapy/tips/", voted.categories.first().get_absolute_url()):
        assert client.get(url, {"sort": sort}).status_code == 404


def test_the_page_cache_keeps_each_order_apart(client, voted, settings):
    settings.PAGE_CACHE_SECONDS = 600
    for _ in range(2):  # the second time from the cache
        assert card_titles(Client().get("/massage-therapy/tips/").content.decode()) == NEWEST
        helpful = Client().get("/massage-therapy/tips/?sort=helpful&utm_source=x")
        assert card_titles(helpful.content.decode()) == HELPFUL
    assert helpful["X-Page-Cache"] == "hit"


def test_most_helpful_in_a_topic_needs_enough_votes_and_mostly_yes(client, voted):
    html = client.get("/massage-therapy/").content.decode()
    section = html.split("Most helpful in Massage Therapy</h2>")[1].split("</section>")[0]
    assert card_titles(section) == ["All five helped", "Nine of ten"]
    assert 'href="/massage-therapy/tips/?sort=helpful"' in section
    Tip.objects.update(helpful_yes=1, helpful_no=0)
    assert "Most helpful in" not in client.get("/massage-therapy/").content.decode()


def test_a_topics_tips_are_not_found_for_a_topic_that_is_not_there(client):
    assert client.get("/no-such-topic/tips/").status_code == 404


def test_no_category_may_take_the_address_of_all_its_topics_tips():
    category = make_category()
    category.slug = "tips"
    with pytest.raises(ValidationError, match="address of all the topic"):
        category.full_clean()


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_sorted_listings_cost_the_same_whatever_the_number_of_tips(client, voted):
    urls = ["/massage-therapy/", "/massage-therapy/tips/", "/massage-therapy/tips/?sort=helpful"]
    before = [count_queries(client, url) for url in urls]
    category = voted.categories.first()
    Tip.objects.bulk_create(
        Tip(category=category, title=f"Bulk {i}", slug=f"bulk-{i}", question="?", body="b",
            status=Tip.Status.PUBLISHED, publish_at=days_ago(10), helpful_yes=i, helpful_no=2)
        for i in range(100)
    )  # fmt: skip
    assert [count_queries(client, url) for url in urls] == before
    assert count_queries(client, "/massage-therapy/tips/?sort=helpful&page=3") == before[2]


def test_the_home_and_a_topic_page_cost_few_queries_whatever_the_number_of_tips(client, voted):
    """With nothing cached (as right after a deploy), the home page reads the categories'
    stored counts and the scheduled tips, the topics (its menu's too), the newest tips (their
    ids, then their cards), the tip of the day and the guru spotlight: seven queries. A topic
    page reads the topic, its categories with their counts, the ids of its newest tips and of
    its most helpful, both lists' cards at once, its tip of the day, the menu and, with no guru
    featured, the spotlight: eight."""
    assert not voted.featured_guru_id
    urls = ["/", "/massage-therapy/"]
    assert [count_queries(client, url) for url in urls] == [7, 8]
    other = make_category()
    Tip.objects.bulk_create(
        Tip(category=category, title=f"Bulk {i}", slug=f"bulk-{i}", question="?", body="b",
            status=Tip.Status.PUBLISHED, publish_at=days_ago(10 + i % 5), helpful_yes=i % 9,
            helpful_no=2)
        for category in (voted.categories.first(), other) for i in range(150)
    )  # fmt: skip
    make_tip(category=other, publish_at=timezone.now() + datetime.timedelta(hours=1))
    assert [count_queries(client, url) for url in urls] == [7, 8]


@pytest.mark.parametrize("vendor", ["sqlite", "postgresql"])
def test_a_topics_most_helpful_reads_the_index_of_rated_tips_only(vendor, voted):
    """That index holds only the tips enough readers voted on: a planner takes it only while
    ``rated`` implies its condition (SQLite's, only while both say the same), so a change to one
    without the other shows here."""
    if connection.vendor != vendor:
        pytest.skip(f"{vendor}'s plan")
    category = voted.categories.first()
    Tip.objects.bulk_create(
        Tip(category=category, title=f"Unrated {i}", slug=f"unrated-{i}", question="?",
            body="b", status=Tip.Status.PUBLISHED, publish_at=days_ago(30))
        for i in range(2000)
    )  # fmt: skip
    helpful = Tip.objects.published().in_topic(voted).for_listing().found_helpful()
    sql, params = helpful.values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # what a site's planner knows of its tips
        cursor.execute(f"EXPLAIN {'QUERY PLAN ' if vendor == 'sqlite' else ''}{sql}", params)
        plan = " ".join(str(row[-1]) for row in cursor.fetchall())
    assert "tip_category_rated_idx" in plan


def test_every_page_has_the_topic_menu_in_its_header(client):
    tip = make_tip(category=make_category(topic=make_topic(name="Home Cooking", slug="cooking")))
    make_topic(name="Personal Finance", slug="finance", tagline="Money habits.")
    for url in ("/", tip.get_absolute_url(), "/request-a-tip/", "/search/?q=x", "/no/such/page/"):
        html = client.get(url).content.decode()
        header = html.split('<header class="site-header">')[1].split("</header>")[0]
        menu = header.split('<nav class="topic-menu" aria-label="Topics"')[1].split("</nav>")[0]
        assert 'href="/#topics">Topics</a>' in menu, "without JavaScript: the list of topics"
        assert 'aria-expanded="false" aria-controls="topic-menu-panel"' in menu
        assert 'id="topic-menu-panel" hidden' in menu
        links = re.findall(r'class="topic-menu__link" href="([^"]*)"', menu)
        assert links == ["/cooking/", "/finance/"], url
        assert "Money habits." in menu


def test_the_404_page_offers_the_tips_the_address_meant_search_and_topics(client):
    meant = make_tip(title="Neuromuscular Massage Therapy", question="What is it?")
    make_tip(title="Foam Rolling", category=meant.category)
    response = client.get("/massage-therapy/neuromuscular-massage-therapi/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "We couldn’t find that page" in html
    suggestions = html.split('aria-label="Tips like the address"')[1].split("</ul>")[0]
    assert f'href="{meant.get_absolute_url()}">Neuromuscular Massage Therapy</a>' in suggestions
    assert "Foam Rolling" not in suggestions
    assert 'value="massage therapy neuromuscular therapi"' in html, "the search, filled in"
    topics = html.split('id="not-found-topics"')[1].split("</section>")[0]
    assert f'href="{meant.category.topic.get_absolute_url()}"' in topics
    assert "Request a Tip Now!" in html
    assert '<meta name="robots" content="noindex">' in html


@pytest.mark.parametrize(
    "path",
    [
        "/x/",
        "/" + "word-" * 400 + "/",
        "/%00/%ff%fe/",
        "/ünïcödé/ß/",
        "/a/b/c/d/e/f/g/h/i/j/k/",
        "/tips/999999/",
        "/gurus/nobody/",
        "/wp-login.php",
        "/_/__/'\"/",
    ],
)
def test_the_404_page_answers_any_address(client, path):
    make_tip(title="Wordy Tip")
    response = client.get(path)
    assert response.status_code == 404
    assert "We couldn’t find that page" in response.content.decode()


def test_the_404_page_still_answers_when_it_cannot_look_for_tips(client, monkeypatch):
    def broken(self, limit):
        raise DatabaseError("the search index is gone")

    monkeypatch.setattr(views.SearchResults, "tips", broken)
    make_tip(title="Massage Oil")
    response = client.get("/massage-oil/")
    assert response.status_code == 404
    assert "Search the tips" in response.content.decode()
