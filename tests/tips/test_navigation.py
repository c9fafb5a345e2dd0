"""Finding one's way: every page offers a request, dates readers' tools accept, odd searches."""

import re

import pytest

from comments.services import tips_refresh_comment_counts
from tests.factories import make_comment, make_guru, make_tip

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
