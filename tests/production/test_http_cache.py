"""What each answer tells the caches on its way: public for what every anonymous reader shares,
private and never stored for anything personal (deploy/nginx/tipsite.conf keeps the first)."""

import pytest
from django.core.cache import caches
from django.test import Client
from django.urls import reverse

from tests.factories import EDITOR_PASSWORD, comment_data, make_editor, make_tip, vote_data
from tipsite import pagecache

pytestmark = pytest.mark.django_db(transaction=True)
PUBLIC = "public, max-age=0, s-maxage=60"


@pytest.fixture(autouse=True)
def _page_cache(settings):
    settings.PAGE_CACHE_SECONDS = 600
    settings.HTTP_CACHE_SECONDS = 60
    caches["default"].clear()


def never_stored(response) -> bool:
    directives = {part.strip() for part in response["Cache-Control"].split(",")}
    return {"private", "no-store"} <= directives and "public" not in directives


@pytest.mark.parametrize("page", ["home", "category", "tip", "search", "sitemap", "feed"])
def test_what_every_anonymous_reader_shares_may_be_kept_by_a_shared_cache_for_a_minute(page):
    tip = make_tip(title="Basil in pots")
    url = {"home": "/", "category": tip.category.get_absolute_url(),
           "tip": tip.get_absolute_url(), "search": "/search/?q=basil",
           "sitemap": "/sitemap-tips.xml", "feed": reverse("feeds:latest")}[page]  # fmt: skip
    miss, hit = Client().get(url), Client().get(url)
    assert (miss["X-Page-Cache"], hit["X-Page-Cache"]) == ("miss", "hit")
    for response in (miss, hit):
        assert response["Cache-Control"] == PUBLIC
        assert {"Accept-Encoding", "Cookie"} <= {v.strip() for v in response["Vary"].split(",")}
        assert not response.cookies, "nothing of one reader's goes with a shared answer"


def test_without_a_shared_cache_time_answers_say_private(settings):
    settings.HTTP_CACHE_SECONDS = 0
    url = make_tip().get_absolute_url()
    assert Client().get(url)["Cache-Control"] == "private, max-age=0, must-revalidate"
    assert Client().get(url)["Cache-Control"] == "private, max-age=0, must-revalidate"


@pytest.mark.parametrize("cookie", ["sessionid", "messages", "tipsite_visitor"])
def test_a_visitor_with_a_personal_cookie_gets_an_answer_no_cache_keeps(cookie):
    url = make_tip().get_absolute_url()
    Client().get(url)
    visitor = Client()
    visitor.cookies[cookie] = "something"
    response = visitor.get(url)
    assert "X-Page-Cache" not in response
    assert never_stored(response)


def test_a_reader_who_commented_or_voted_gets_answers_no_cache_keeps():
    tip = make_tip()
    reader = Client()
    posted = reader.post(reverse("comments:post", args=[tip.pk]), comment_data())
    assert posted.status_code == 302
    assert never_stored(posted)
    page = reader.get(posted["Location"])
    assert "awaiting moderation" in page.content.decode()
    assert never_stored(page)

    voted = Client().post(reverse("tips:vote", args=[tip.pk]), vote_data())
    assert voted.status_code == 302
    assert never_stored(voted)


def test_a_form_sent_back_with_its_errors_is_never_stored():
    tip = make_tip()
    response = Client().post(reverse("comments:post", args=[tip.pk]), comment_data(email="bad"))
    assert response.status_code == 200
    assert "Enter a valid email address." in response.content.decode()
    assert never_stored(response)


def test_the_admin_and_the_form_token_are_never_stored(client):
    make_editor()
    assert never_stored(client.get(reverse("admin:login")))
    client.login(username="editor", password=EDITOR_PASSWORD)
    assert never_stored(client.get(reverse("admin:index")))
    assert never_stored(Client().get(reverse("form-token")))


def test_other_answers_that_say_nothing_are_private():
    assert Client().get("/robots.txt")["Cache-Control"] == "private"
    assert Client().get("/no/such/page/")["Cache-Control"] == "private"


def test_a_hit_served_to_a_stranger_still_says_public_after_a_personal_visit():
    """The personal visit renders on its own and never replaces the shared copy."""
    tip = make_tip()
    url = tip.get_absolute_url()
    Client().get(url)
    personal = Client()
    personal.cookies["tipsite_visitor"] = "v"
    personal.get(url)
    stranger = Client().get(url)
    assert stranger["X-Page-Cache"] == "hit"
    assert stranger["Cache-Control"] == PUBLIC
    assert pagecache.shared_cache_control() == PUBLIC
