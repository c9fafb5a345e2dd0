"""Forms from cached pages: no token in the page, the reader's own on demand, and without
JavaScript one more step that keeps what they typed."""

import re

import pytest
from django.conf import settings
from django.middleware.csrf import get_token
from django.template.backends import utils as backend_utils
from django.test import Client
from django.urls import reverse

from comments.models import Comment
from tests.factories import comment_data, make_tip

pytestmark = pytest.mark.django_db

SAME_SITE = "http://testserver"
TYPED = "Worked for me\non the second try."


def post_without_token(client, tip, **headers):
    """What a browser without JavaScript sends from a cached tip page: an empty token."""
    data = comment_data(csrfmiddlewaretoken="", body=TYPED)
    return client.post(reverse("comments:post", args=[tip.pk]), data, **headers)


def test_the_form_token_is_the_readers_own_and_never_stored():
    client = Client(enforce_csrf_checks=True)
    response = client.get(reverse("form-token"))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert response.cookies[settings.CSRF_COOKIE_NAME].value
    assert response.json()["csrf"] != Client().get(reverse("form-token")).json()["csrf"]
    assert Client().post(reverse("form-token")).status_code == 405


def test_without_javascript_a_cached_pages_form_takes_one_more_step_and_loses_nothing():
    tip = make_tip()
    client = Client(enforce_csrf_checks=True)
    response = post_without_token(client, tip, HTTP_ORIGIN=SAME_SITE)
    assert response.status_code == 403
    html = response.content.decode()
    assert "One more step to send it" in html
    assert "Worked for me<br>on the second try." in html, "what they typed, shown to check"
    assert "<dt>Comment</dt>" in html
    assert not Comment.objects.exists()

    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))
    token = fields.pop("csrfmiddlewaretoken")
    assert token, "this time with their token"
    assert fields["body"] == "Worked for me\non the second try."
    assert set(fields) == set(comment_data()), "every field passed on, the form time included"
    action = re.search(r'<form method="post" action="([^"]+)"', html)[1]
    resent = client.post(action, {**fields, "csrfmiddlewaretoken": token}, HTTP_ORIGIN=SAME_SITE)
    assert resent.status_code == 302
    assert Comment.objects.get().body == "Worked for me\non the second try."


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_ORIGIN": "https://elsewhere.example"},  # another site's form
        {},  # no Origin: nothing says where it came from
    ],
)
def test_a_form_from_elsewhere_is_refused_without_an_offer_to_send_it(headers):
    response = post_without_token(Client(enforce_csrf_checks=True), make_tip(), **headers)
    assert response.status_code == 403
    html = response.content.decode()
    assert "security token" in html
    assert "One more step" not in html
    assert TYPED.split()[0] not in html


def test_a_visitor_with_a_session_is_never_offered_the_step():
    """Editors get pages with their token in them, so a form without one is not theirs."""
    client = Client(enforce_csrf_checks=True)
    client.cookies[settings.SESSION_COOKIE_NAME] = "a-session"
    response = post_without_token(client, make_tip(), HTTP_ORIGIN=SAME_SITE)
    assert response.status_code == 403
    assert "One more step" not in response.content.decode()


def test_a_personal_page_carries_one_token_in_all_its_forms_and_it_is_taken():
    """A page rendered for one visitor (here with a vote cookie) has a token in each form: the
    same one, made once, as Django's engine makes it, and a comment posted with it is taken."""
    tip = make_tip()
    client = Client(enforce_csrf_checks=True)
    client.cookies["tipsite_visitor"] = "a-visitor"
    page = client.get(tip.get_absolute_url()).content.decode()
    tokens = re.findall(r'name="csrfmiddlewaretoken" value="([^"]*)"', page)
    assert len(tokens) >= 3  # the vote, comment and follow forms
    assert len(set(tokens)) == 1
    assert tokens[0]
    data = comment_data(csrfmiddlewaretoken=tokens[0], body=TYPED)
    response = client.post(reverse("comments:post", args=[tip.pk]), data, HTTP_ORIGIN=SAME_SITE)
    assert response.status_code == 302
    assert Comment.objects.filter(tip=tip, body=TYPED).exists()


def test_a_page_rendered_for_the_page_cache_makes_no_token(settings, monkeypatch):
    """Its CSRF fields are kept empty for every reader's script to fill, so none is made; a
    page rendered for one visitor makes its one token as before."""
    settings.PAGE_CACHE_SECONDS = 600
    made = []

    def counted(request):
        made.append(request.path)
        return get_token(request)

    monkeypatch.setattr(backend_utils, "get_token", counted)
    tip = make_tip()
    page = Client().get(tip.get_absolute_url())
    assert page["X-Page-Cache"] == "miss"
    assert set(
        re.findall(r'name="csrfmiddlewaretoken" value="([^"]*)"', page.content.decode())
    ) == {""}
    assert made == []
    assert "csrftoken" not in page.cookies
    personal = Client()
    personal.cookies["tipsite_visitor"] = "a-visitor"
    personal.get(tip.get_absolute_url())
    assert made == [tip.get_absolute_url()]
