import io
import json
import re
from datetime import timedelta

import extruct
import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import json_script
from PIL import Image

from tests.factories import make_category, make_guru, make_tip
from tests.pages import SEED_TIP
from tests.tips.test_admin import tip_form_data
from tips.models import Tip
from tips.templatetags.tips_tags import json_ld as json_ld_block

pytestmark = pytest.mark.django_db


def head_of(client, url) -> str:
    return client.get(url).content.decode().split("</head>")[0]


def meta(head: str, attribute: str, name: str) -> str:
    match = re.search(rf'<meta {attribute}="{re.escape(name)}" content="([^"]*)">', head)
    assert match, f"no {name} meta tag"
    return match.group(1)


@pytest.fixture
def tip():
    guru = make_guru(name="Joe Wallace", slug="joe-wallace", bio="Therapist for twenty years.")
    category = make_category(name="Massage Therapy Techniques", slug="techniques")
    return make_tip(category=category, guru=guru, title="Neuromuscular Massage Therapy",
                    question="What is Neuromuscular Therapy?")  # fmt: skip


def test_every_page_type_has_its_own_title_description_canonical_and_open_graph(client, tip):
    pages = {
        "/": "LifeTips",
        tip.category.topic.get_absolute_url(): tip.category.topic.name,
        tip.category.get_absolute_url(): "Massage Therapy Techniques",
        tip.get_absolute_url(): "Neuromuscular Massage Therapy",
        tip.guru.get_absolute_url(): "Joe Wallace",
        "/request-a-tip/": "Request a Tip",
    }
    titles = set()
    for url, expected in pages.items():
        head = head_of(client, url)
        title = re.search(r"<title>(.*?)</title>", head, re.S).group(1)
        assert expected in title
        titles.add(title)
        assert meta(head, "name", "description")
        assert f'<link rel="canonical" href="http://testserver{url}">' in head
        assert meta(head, "property", "og:url") == f"http://testserver{url}"
        assert meta(head, "property", "og:title")
        assert meta(head, "property", "og:site_name") == "LifeTips"
    assert len(titles) == len(pages), "no two pages share a title"


def test_tip_open_graph_is_an_article(client, tip):
    head = head_of(client, tip.get_absolute_url())
    assert meta(head, "property", "og:type") == "article"
    assert meta(head, "property", "og:title") == "Neuromuscular Massage Therapy"
    assert meta(head, "property", "og:description") == "What is Neuromuscular Therapy?"


def test_canonical_keeps_the_page_number_and_drops_other_parameters(client, settings):
    settings.TIPS_PER_PAGE = 1
    category = make_category()
    make_tip(category=category)
    make_tip(category=category)
    head = head_of(client, category.get_absolute_url() + "?page=2&utm_source=x")
    assert (
        f'<link rel="canonical" href="http://testserver{category.get_absolute_url()}?page=2">'
        in head
    )


def test_tip_pages_carry_json_ld_for_the_article_and_its_breadcrumbs(client, tip):
    html = client.get(tip.get_absolute_url()).content.decode()
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    article, trail = (json.loads(block) for block in blocks)
    assert article["@type"] == "Article"
    assert article["headline"] == "Neuromuscular Massage Therapy"
    assert article["author"] == {
        "@type": "Person", "name": "Joe Wallace", "url": "http://testserver/gurus/joe-wallace/"
    }  # fmt: skip
    assert article["datePublished"] == tip.publish_at.isoformat()
    assert article["dateModified"] == tip.modified_at.isoformat()
    names = [item["name"] for item in trail["itemListElement"]]
    assert names == ["Home", tip.category.topic.name, "Massage Therapy Techniques", tip.title]
    assert trail["itemListElement"][-1]["item"] == f"http://testserver{tip.get_absolute_url()}"


def test_json_ld_cannot_break_out_of_its_script(client):
    tip = make_tip(title="</script><script>alert(1)</script>")
    html = client.get(tip.get_absolute_url()).content.decode()
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    assert json.loads(block)["headline"] == "</script><script>alert(1)</script>"
    assert "<script>alert(1)" not in block


# Structured data as a search engine reads it: parsed by extruct, not by our own regex.


def json_ld(client, url) -> list[dict]:
    response = client.get(url)
    assert response.status_code == 200
    return extruct.extract(
        response.content.decode(), base_url=f"http://testserver{url}", syntaxes=["json-ld"]
    )["json-ld"]


def of_type(items: list[dict], kind: str) -> dict:
    found = [item for item in items if item.get("@type") == kind]
    assert len(found) == 1, f"expected one {kind} in {[i.get('@type') for i in items]}"
    return found[0]


def test_home_page_is_a_website_with_a_search_box_that_works(client):
    """The SearchAction's address template, filled in, is the site's own search."""
    make_tip(title="Foam rolling for runners")
    site = of_type(json_ld(client, "/"), "WebSite")
    assert site["name"] == "LifeTips"
    assert site["url"] == "http://testserver/"
    action = site["potentialAction"]
    assert action["@type"] == "SearchAction"
    assert action["query-input"] == "required name=search_term_string"
    template = action["target"]["urlTemplate"]
    assert template == "http://testserver/search/?q={search_term_string}"
    results = client.get(template.replace("{search_term_string}", "foam").split("testserver")[1])
    assert "Foam rolling for runners" in results.content.decode()


def test_guru_page_is_a_profile_of_a_person(client):
    guru = make_guru(
        name="Joe Wallace",
        slug="joe-wallace",
        bio="Therapist for twenty years.",
        credentials="Licensed massage therapist",
        website="https://example.com/joe",
    )
    page = of_type(json_ld(client, guru.get_absolute_url()), "ProfilePage")
    person = page["mainEntity"]
    assert person["@type"] == "Person"
    assert person["name"] == "Joe Wallace"
    assert person["url"] == "http://testserver/gurus/joe-wallace/"
    assert person["jobTitle"] == "Licensed massage therapist"
    assert person["description"] == "Therapist for twenty years."
    assert person["sameAs"] == ["https://example.com/joe"]
    assert person["image"].startswith("http://testserver/")


def test_topic_and_category_pages_are_collections_listing_their_tips_in_order(client, settings):
    settings.TIPS_PER_PAGE = 2
    category = make_category(name="Techniques", slug="techniques")
    older = make_tip(
        category=category, title="Older", publish_at=timezone.now() - timedelta(days=3)
    )
    newer = make_tip(
        category=category, title="Newer", publish_at=timezone.now() - timedelta(days=2)
    )
    oldest = make_tip(category=category, title="Oldest",
                      publish_at=timezone.now() - timedelta(days=4))  # fmt: skip
    topic = category.topic
    expectations = {
        topic.get_absolute_url(): [newer, older, oldest],
        category.get_absolute_url(): [newer, older],
        category.get_absolute_url() + "?page=2": [oldest],
    }
    for url, tips in expectations.items():
        page = of_type(json_ld(client, url), "CollectionPage")
        assert page["name"]
        assert page["url"] == f"http://testserver{url.split('?')[0]}"
        items = page["mainEntity"]["itemListElement"]
        assert page["mainEntity"]["@type"] == "ItemList"
        first = 3 if url.endswith("page=2") else 1
        assert [(i["position"], i["url"], i["name"]) for i in items] == [
            (n, f"http://testserver{tip.get_absolute_url()}", tip.title)
            for n, tip in enumerate(tips, start=first)
        ]
    assert of_type(json_ld(client, category.get_absolute_url()), "BreadcrumbList")


def test_tip_article_has_what_search_engines_require(client, tip):
    """Article with image, author (a Person with an address), publisher with a logo of at least
    112×112 that is really served, and both dates."""
    article = of_type(json_ld(client, tip.get_absolute_url()), "Article")
    assert article["headline"] == "Neuromuscular Massage Therapy"
    assert article["author"]["@type"] == "Person"
    assert article["author"]["url"] == "http://testserver/gurus/joe-wallace/"
    assert article["image"]
    assert all(url.startswith("http://testserver/") for url in article["image"])
    card = client.get(article["image"][0].removeprefix("http://testserver"))
    assert card.status_code == 200
    assert card["Content-Type"] == "image/png"
    publisher = article["publisher"]
    assert publisher["@type"] == "Organization"
    assert publisher["name"] == "LifeTips"
    logo = publisher["logo"]
    path = finders.find(logo["url"].removeprefix("http://testserver/static/"))
    with Image.open(path) as image:
        assert image.size == (logo["width"], logo["height"])
        assert min(image.size) >= 112
    assert article["datePublished"] == tip.publish_at.isoformat()
    assert article["dateModified"] >= article["datePublished"]


def test_date_modified_is_the_last_edit_of_what_readers_read_and_the_page_says_so(editor_client):
    """Editing the body dates the tip; a review, closing comments or votes do not."""
    published = timezone.now() - timedelta(days=30)
    tip = make_tip(publish_at=published, edited_at=published, last_reviewed=published.date())
    url = tip.get_absolute_url()

    article = of_type(json_ld(editor_client, url), "Article")
    assert article["dateModified"] == published.isoformat()
    assert "Updated" not in editor_client.get(url).content.decode()

    tip.comments_closed = True
    tip.last_reviewed = timezone.localdate()
    tip.save()
    Tip.objects.filter(pk=tip.pk).update(helpful_yes=10)
    assert of_type(json_ld(editor_client, url), "Article")["dateModified"] == published.isoformat()

    tip = Tip.objects.get(pk=tip.pk)
    tip.body = "A clearer answer."
    tip.save()
    modified = of_type(json_ld(editor_client, url), "Article")["dateModified"]
    assert modified == tip.edited_at.isoformat() > published.isoformat()
    today = timezone.localdate()
    assert (
        f'Updated <time datetime="{today:%Y-%m-%d}">{date_format(today, "F j, Y")}</time>'
        in editor_client.get(url).content.decode()
    )


def test_changing_only_the_sources_in_the_admin_is_an_edit(editor_client):
    published = timezone.now() - timedelta(days=30)
    tip = make_tip(publish_at=published, edited_at=published)
    data = admin_tip_data(tip) | {
        "sources-TOTAL_FORMS": "1", "sources-INITIAL_FORMS": "0",
        "sources-0-position": "1", "sources-0-title": "NCCIH",
        "sources-0-url": "https://www.nccih.nih.gov/",
    }  # fmt: skip
    response = editor_client.post(f"/admin/tips/tip/{tip.pk}/change/", data)
    assert response.status_code == 302
    assert tip.sources.get().title == "NCCIH"
    tip.refresh_from_db()
    assert tip.edited_at > published


def test_seed_tip_says_the_same_date_to_readers_and_search_engines(client):
    call_command("seed_demo", stdout=io.StringIO())
    tip = Tip.objects.get(slug="neuromuscular-massage-therapy")
    article = of_type(json_ld(client, SEED_TIP), "Article")
    html = client.get(SEED_TIP).content.decode()
    assert article["dateModified"] == article["datePublished"] == tip.publish_at.isoformat()
    assert f'Reviewed <time datetime="{tip.last_reviewed:%Y-%m-%d}">' in html
    assert tip.last_reviewed == timezone.localtime(tip.publish_at).date()
    assert "Updated" not in html


def admin_tip_data(tip) -> dict:
    return tip_form_data(
        tip.category, title=tip.title, slug=tip.slug, question=tip.question, body=tip.body,
        status=tip.status, publish_at_0=timezone.localtime(tip.publish_at).strftime("%Y-%m-%d"),
        publish_at_1=timezone.localtime(tip.publish_at).strftime("%H:%M:%S"),
    )  # fmt: skip


def test_saving_some_fields_dates_the_tip_only_when_those_are_what_readers_read():
    published = timezone.now() - timedelta(days=30)
    tip = Tip.objects.get(pk=make_tip(publish_at=published, edited_at=published).pk)
    tip.title = "Not saved yet"
    tip.save(update_fields=["last_reviewed"])
    assert Tip.objects.get(pk=tip.pk).edited_at == published

    tip.save(update_fields=["title"])
    saved = Tip.objects.get(pk=tip.pk)
    assert saved.title == "Not saved yet"
    assert saved.edited_at > published


def test_json_ld_escapes_what_djangos_json_script_escapes():
    data = {"name": "<b>Salt & pepper</b>", "items": ["a>b", "c<d", "e&f"]}
    ours = str(json_ld_block(data)).removeprefix('<script type="application/ld+json">')
    theirs = str(json_script(data)).removeprefix('<script type="application/json">')
    assert ours == theirs
    assert json.loads(ours.removesuffix("</script>")) == data
