import json
import re

import pytest

from tests.factories import make_category, make_guru, make_tip

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
    assert article["dateModified"] == tip.updated_at.isoformat()
    names = [item["name"] for item in trail["itemListElement"]]
    assert names == ["Home", tip.category.topic.name, "Massage Therapy Techniques", tip.title]
    assert trail["itemListElement"][-1]["item"] == f"http://testserver{tip.get_absolute_url()}"


def test_json_ld_cannot_break_out_of_its_script(client):
    tip = make_tip(title="</script><script>alert(1)</script>")
    html = client.get(tip.get_absolute_url()).content.decode()
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    assert json.loads(block)["headline"] == "</script><script>alert(1)</script>"
    assert "<script>alert(1)" not in block
