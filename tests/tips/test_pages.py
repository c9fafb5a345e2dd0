import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_category, make_guru, make_tip, make_topic
from tips.models import Tip, TipSource

pytestmark = pytest.mark.django_db


@pytest.fixture
def massage():
    """The seed page's setting: a topic, a category, a spotlighted guru and one tip."""
    topic = make_topic(name="Massage Therapy", slug="massage-therapy")
    category = make_category(
        topic=topic, name="Massage Therapy Techniques", slug="massage-therapy-techniques"
    )
    guru = make_guru(name="Joe Wallace", slug="joe-wallace", topics=[topic])
    topic.featured_guru = guru
    topic.save()
    tip = make_tip(
        category=category,
        guru=guru,
        title="Neuromuscular Massage Therapy",
        slug="neuromuscular-massage-therapy",
        question="What is Neuromuscular Therapy?",
        body="These massage therapy techniques are based on pressure.\n\nSecond paragraph.",
    )
    return tip


def test_tip_page_shows_the_seed_layout(client, massage, settings):
    settings.SITE_NAME = "LifeTips"
    response = client.get(massage.get_absolute_url())
    html = response.content.decode()

    assert response.status_code == 200
    assert '<h1 class="tip__title">Neuromuscular Massage Therapy</h1>' in html
    assert 'aria-label="Breadcrumb"' in html
    assert '<a href="/massage-therapy/">Massage Therapy</a>' in html
    category_link = '<a href="/massage-therapy/massage-therapy-techniques/">'
    assert f"{category_link}Massage Therapy Techniques</a>" in html
    assert (
        "Read this tip to make your life smarter, better, faster and wiser. LifeTips is the place "
        "to go when you need to know about Massage Therapy Techniques and other Massage Therapy "
        "topics."
    ) in html
    assert '<h2 class="tip__question">What is Neuromuscular Therapy?</h2>' in html
    assert "<p>These massage therapy techniques are based on pressure.</p>" in html
    assert (
        "Not finding the advice and tips you need on this Massage Therapy Tip Site? "
        '<a href="/request-a-tip/?category=massage-therapy-techniques">Request a Tip Now!</a>'
    ) in html
    assert "Guru Spotlight" in html
    assert '<a href="/gurus/joe-wallace/">Joe Wallace</a>' in html
    # The order of the seed page: title, intro, question, body, request line, spotlight.
    positions = [
        html.index(text)
        for text in (
            "tip__title",
            "Read this tip",
            "tip__question",
            "These massage therapy",
            "Request a Tip Now!",
            "Guru Spotlight",
        )
    ]
    assert positions == sorted(positions)


def test_site_name_is_a_setting(client, massage, settings):
    settings.SITE_NAME = "HandyHints"
    html = client.get(massage.get_absolute_url()).content.decode()
    assert "HandyHints is the place to go" in html


def test_tip_is_found_only_under_its_own_topic_and_category(client, massage):
    other = make_category()
    url = reverse(
        "tips:tip",
        kwargs={"topic": other.topic.slug, "category": other.slug, "slug": massage.slug},
    )
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    "hidden",
    [
        {"status": Tip.Status.DRAFT},
        {"publish_at": timezone.now() + datetime.timedelta(days=2)},
    ],
    ids=["draft", "scheduled"],
)
def test_readers_get_404_for_tips_that_are_not_public(client, hidden):
    tip = make_tip(**hidden)
    response = client.get(tip.get_absolute_url())
    assert response.status_code == 404
    assert "We couldn’t find that page" in response.content.decode()


def test_staff_preview_a_draft_with_a_not_public_banner(client, admin_user):
    tip = make_tip(status=Tip.Status.DRAFT, title="Secret draft")
    client.force_login(admin_user)
    html = client.get(tip.get_absolute_url()).content.decode()
    assert "Secret draft" in html
    assert "Preview — not public." in html
    assert "This tip is a draft" in html


def test_staff_preview_a_scheduled_tip_with_its_go_live_time(client, admin_user):
    tip = make_tip(publish_at=timezone.now() + datetime.timedelta(days=2))
    client.force_login(admin_user)
    html = client.get(tip.get_absolute_url()).content.decode()
    assert "This tip is scheduled to go live on" in html


def test_live_tips_show_no_preview_banner_to_staff(client, admin_user, massage):
    client.force_login(admin_user)
    assert "Preview — not public." not in client.get(massage.get_absolute_url()).content.decode()


def test_home_lists_topics_latest_tips_tip_of_the_day_and_spotlight(client, massage):
    draft = make_tip(category=massage.category, status=Tip.Status.DRAFT, title="Hidden draft")
    html = client.get("/").content.decode()

    assert '<a href="/massage-therapy/">Massage Therapy</a>' in html
    assert "1 tip" in html
    assert "Latest tips" in html
    assert massage.title in html
    assert draft.title not in html
    assert "Tip of the day" in html
    assert "Guru Spotlight" in html


def test_topic_page_lists_categories_with_public_counts(client, massage):
    make_tip(category=massage.category, status=Tip.Status.DRAFT)
    empty = make_category(topic=massage.category.topic, name="Sports Massage")
    html = client.get(massage.category.topic.get_absolute_url()).content.decode()

    assert "<h1>Massage Therapy Tip Site</h1>" in html
    assert "Massage Therapy Techniques</a>" in html
    assert f'{empty.name}</a>\n            <span class="category-list__count">0 tips' in html
    assert '<span class="category-list__count">1 tip</span>' in html
    assert "/request-a-tip/?topic=massage-therapy" in html
    assert '<a href="/gurus/joe-wallace/">Joe Wallace</a>' in html


@pytest.mark.parametrize("listing", ["category", "guru"])
def test_listings_paginate_published_tips_newest_first(client, settings, listing):
    settings.TIPS_PER_PAGE = 2
    owner = make_category() if listing == "category" else make_guru()
    now = timezone.now()
    tips = [
        make_tip(**{listing: owner}, title=f"Tip {i}", publish_at=now - datetime.timedelta(days=i))
        for i in range(1, 4)
    ]
    make_tip(**{listing: owner}, status=Tip.Status.DRAFT, title="Draft tip")
    url = owner.get_absolute_url()

    first = client.get(url).content.decode()
    second = client.get(url + "?page=2").content.decode()

    assert first.index(tips[0].title) < first.index(tips[1].title)
    assert tips[2].title not in first
    assert tips[2].title in second
    assert "Page 2 of 2" in second
    assert "Draft tip" not in first + second
    assert client.get(url + "?page=9").status_code == 404
    assert client.get(url + "?page=abc").status_code == 404


def test_category_must_belong_to_the_topic_in_its_address(client):
    category = make_category()
    other_topic = make_topic()
    url = reverse("tips:category", kwargs={"topic": other_topic.slug, "slug": category.slug})
    assert client.get(url).status_code == 404


def test_guru_page_shows_photo_bio_topics_and_published_tips(client, massage):
    guru = massage.guru
    guru.bio = "Joe has practised neuromuscular therapy for twenty years."
    guru.save()
    make_tip(category=massage.category, guru=guru, status=Tip.Status.DRAFT, title="Unseen")
    html = client.get(guru.get_absolute_url()).content.decode()

    assert "<h1>Joe Wallace</h1>" in html
    assert "twenty years" in html
    assert '<a href="/massage-therapy/">Massage Therapy</a>' in html
    assert massage.title in html
    assert "Unseen" not in html
    assert "JW" in html, "initials stand in for a missing photo"


def test_unknown_addresses_get_the_branded_404(client):
    for url in ("/no-such-topic/", "/a/b/", "/a/b/c/", "/gurus/nobody/"):
        response = client.get(url)
        assert response.status_code == 404
        assert "We couldn’t find that page" in response.content.decode()


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_category_page_query_count_does_not_grow_with_tips(client):
    small = make_category()
    large = make_category(topic=small.topic)
    guru = make_guru(topics=[small.topic])
    for _ in range(3):
        make_tip(category=small, guru=guru)
    Tip.objects.bulk_create(
        Tip(
            category=large,
            guru=guru,
            title=f"Bulk {i}",
            slug=f"bulk-{i}",
            question="?",
            body="b",
            status=Tip.Status.PUBLISHED,
            publish_at=timezone.now() - datetime.timedelta(minutes=i + 1),
        )
        for i in range(300)
    )
    assert count_queries(client, small.get_absolute_url()) == count_queries(
        client, large.get_absolute_url()
    )
    assert count_queries(client, large.get_absolute_url() + "?page=10") == count_queries(
        client, small.get_absolute_url()
    )


def test_topic_page_query_count_does_not_grow_with_categories(client):
    small, large = make_topic(), make_topic()
    for topic, n in ((small, 1), (large, 30)):
        guru = make_guru(topics=[topic])
        for _ in range(n):
            make_tip(category=make_category(topic=topic), guru=guru)
    assert count_queries(client, small.get_absolute_url()) == count_queries(
        client, large.get_absolute_url()
    )


def test_home_tip_and_guru_query_counts_do_not_grow_with_content(client, massage):
    guru = massage.guru
    urls = ["/", massage.get_absolute_url(), guru.get_absolute_url()]
    before = [count_queries(client, url) for url in urls]
    for _ in range(3):
        topic = make_topic()
        guru.topics.add(topic)
        for _ in range(5):
            make_tip(category=make_category(topic=topic), guru=guru)
    assert [count_queries(client, url) for url in urls] == before


def test_a_deep_page_reads_the_same_tips_as_slicing_and_costs_the_same_queries(client, settings):
    settings.TIPS_PER_PAGE = 3
    category = make_category()
    now = timezone.now()
    for i in range(20):
        # Pairs share a publish time: ties are broken by id, newest first, on every page.
        make_tip(category=category, publish_at=now - datetime.timedelta(hours=i // 2))
    newest_first = list(Tip.objects.published().filter(category=category).for_listing())

    def page(number):
        response = client.get(category.get_absolute_url(), {"page": number})
        return [tip.pk for tip in response.context_data["tips"]]

    assert page(1) == [tip.pk for tip in newest_first[0:3]]
    assert page(5) == [tip.pk for tip in newest_first[12:15]]
    assert page(7) == [tip.pk for tip in newest_first[18:20]]
    deep = count_queries(client, category.get_absolute_url() + "?page=7")
    assert deep == count_queries(client, category.get_absolute_url())


def test_a_guru_page_counts_their_published_tips(client, settings):
    settings.TIPS_PER_PAGE = 2
    guru = make_guru()
    for _ in range(3):
        make_tip(guru=guru)
    make_tip(guru=guru, status=Tip.Status.DRAFT)
    assert f"Tips by {guru.name} (3)" in client.get(guru.get_absolute_url()).content.decode()


def test_guru_page_query_count_does_not_grow_with_their_tips(client):
    guru = make_guru()
    make_tip(guru=guru)
    before = count_queries(client, guru.get_absolute_url())
    for _ in range(30):
        make_tip(guru=guru)
    assert count_queries(client, guru.get_absolute_url()) == before
    assert count_queries(client, guru.get_absolute_url() + "?page=2") == before


def test_tips_of_one_category_share_their_related_box_and_spotlight_until_content_changes(
    client, settings, django_capture_on_commit_callbacks
):
    """With the page cache on, the category's newest tips and the topic's spotlight are read
    once for all its tip pages; a newly published tip shows in the box straight away."""
    settings.PAGE_CACHE_SECONDS = 600
    category, elsewhere = make_category(), make_category()
    for topic in (category.topic, elsewhere.topic):
        make_guru(topics=[topic])
    tips = [make_tip(category=category, title=f"Sibling {i}") for i in range(7)]
    strangers = [make_tip(category=elsewhere) for i in range(7)]

    count_queries(client, tips[0].get_absolute_url())
    first_of_its_category = count_queries(client, strangers[0].get_absolute_url())
    another_of_the_same = count_queries(client, tips[1].get_absolute_url())
    # Neither the category's newest tips (one query) nor the spotlight (one) are read again.
    assert another_of_the_same == first_of_its_category - 2

    with django_capture_on_commit_callbacks(execute=True):  # the page cache hears of it then
        newest = make_tip(category=category, title="Brand New Sibling")
    html = client.get(tips[2].get_absolute_url()).content.decode()
    related_box = html.split('id="related-heading"')[1].split("</section>")[0]
    assert f'href="{newest.get_absolute_url()}"' in related_box
    assert f'href="{tips[2].get_absolute_url()}"' not in related_box


def test_the_empty_comment_form_made_once_never_carries_what_a_reader_typed(client, settings):
    """The page's empty form fields are made once; a reader's refused comment comes back
    with what they typed and the error, and the next reader still gets an empty form."""
    from tests.factories import comment_data

    settings.PAGE_CACHE_SECONDS = 600
    tip, other = make_tip(), make_tip()
    empty = client.get(tip.get_absolute_url()).content.decode()
    assert 'name="name"' in empty
    assert "Quirinus" not in empty

    refused = client.post(
        reverse("comments:post", args=[tip.pk]), comment_data(name="Quirinus", body="x")
    )
    assert refused.status_code == 200
    page = refused.content.decode()
    assert 'value="Quirinus"' in page
    assert "at least 2 characters" in page

    client.cookies.clear()
    for url in (tip.get_absolute_url(), other.get_absolute_url()):
        html = client.get(url).content.decode()
        assert "Quirinus" not in html
        assert 'name="body"' in html


def test_a_tip_page_lists_its_sources_in_their_order_as_links(client):
    tip = make_tip()
    TipSource.objects.create(tip=tip, position=2, title="Second & last", url="https://b.example/")
    TipSource.objects.create(tip=tip, position=1, title="First", url="https://a.example/x?y=1&z=2")
    page = client.get(tip.get_absolute_url()).content.decode()
    first = '<li><a href="https://a.example/x?y=1&amp;z=2">First</a></li>'
    second = '<li><a href="https://b.example/">Second &amp; last</a></li>'
    assert first in page
    assert second in page
    assert page.index(first) < page.index(second)
    assert "Sources</h2>" not in client.get(make_tip().get_absolute_url()).content.decode()
