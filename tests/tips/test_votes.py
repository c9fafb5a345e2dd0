import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import make_tip, vote_data
from tips.models import Tip, Vote
from tips.visitors import COOKIE

pytestmark = pytest.mark.django_db


def vote(client, tip, **kwargs):
    headers = {"HTTP_ACCEPT": "application/json"} if kwargs.pop("json", False) else {}
    return client.post(reverse("tips:vote", args=[tip.pk]), vote_data(**kwargs), **headers)


def test_every_tip_asks_was_this_tip_helpful(client):
    html = client.get(make_tip().get_absolute_url()).content.decode()
    assert "Was this tip helpful?" in html
    assert 'value="yes"' in html
    assert 'value="no"' in html


def test_a_yes_vote_without_javascript_redirects_back_and_counts(client):
    tip = make_tip()
    response = vote(client, tip, helpful="yes")
    assert response.status_code == 302
    assert response["Location"] == f"{tip.get_absolute_url()}#helpful"
    assert COOKIE in response.cookies
    assert response.cookies[COOKIE]["httponly"]
    tip.refresh_from_db()
    assert (tip.helpful_yes, tip.helpful_no) == (1, 0)
    html = client.get(response["Location"]).content.decode()
    assert "Thanks! Glad this tip helped." in html
    assert "You said this tip helped." in html


def test_one_vote_per_visitor_which_they_can_change(client):
    tip = make_tip()
    vote(client, tip, helpful="yes")
    vote(client, tip, helpful="no")
    assert Vote.objects.count() == 1
    tip.refresh_from_db()
    assert (tip.helpful_yes, tip.helpful_no) == (0, 1)
    vote(Client(), tip, helpful="yes")
    tip.refresh_from_db()
    assert (tip.helpful_yes, tip.helpful_no, tip.helpful_share) == (1, 1, 50)


def test_no_asks_what_was_missing_and_keeps_the_answer(client):
    tip = make_tip()
    vote(client, tip, helpful="no")
    html = client.get(tip.get_absolute_url()).content.decode()
    assert "What was missing?" in html
    assert '<div class="helpful__reason" hidden>' not in html

    vote(client, tip, helpful="no", reason="How long to hold each point?")
    assert Vote.objects.get().reason == "How long to hold each point?"
    vote(client, tip, helpful="yes")
    assert Vote.objects.get().reason == ""


def test_an_over_long_reason_gets_a_message_by_the_field_and_is_kept(client):
    tip = make_tip()
    text = "Needs more detail. " * 30
    response = vote(client, tip, helpful="no", reason=text)
    html = response.content.decode()
    assert response.status_code == 200
    error = html.split('id="error_1_id_vote-reason">', 1)[1].split("</p>", 1)[0]
    assert "at most 500 characters" in error
    assert text.strip() in html
    assert not Vote.objects.exists()


def test_with_javascript_the_answer_is_json(client):
    tip = make_tip()
    no = vote(client, tip, helpful="no", json=True)
    assert no.json() == {"helpful": False, "ask_reason": True, "message": "Thanks for telling us."}
    reason = vote(client, tip, helpful="no", reason="Photos please", json=True)
    assert reason.json()["ask_reason"] is False
    bad = vote(client, tip, helpful="maybe", json=True)
    assert bad.status_code == 400
    assert "helpful" in bad.json()["errors"]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"homepage": "x"}, "leave this empty"),
        ({"age": 0.1}, "quicker than a person can type"),
        ({"issued": "forged"}, "could not be verified"),
    ],
)
def test_the_shared_defences_guard_votes(client, fields, message):
    tip = make_tip()
    html = vote(client, tip, **fields).content.decode()
    assert message in html
    assert not Vote.objects.exists()


def test_votes_are_flood_limited(client, settings):
    settings.ANTISPAM = {"vote": {"min_seconds": 0, "interval_seconds": 0, "per_hour": 3}}
    tip = make_tip()
    statuses = [vote(Client(), tip).status_code for _ in range(4)]
    assert statuses == [302, 302, 302, 429]


def test_votes_on_drafts_are_404(client):
    assert vote(client, make_tip(status=Tip.Status.DRAFT)).status_code == 404


def test_the_admin_shows_votes_share_and_reasons(admin_client):
    tip = make_tip(title="Hold Each Point")
    vote(Client(), tip, helpful="yes")
    vote(Client(), tip, helpful="no", reason="Which muscles?")
    changelist = admin_client.get(reverse("admin:tips_tip_changelist")).content.decode()
    assert "50% of 2" in changelist
    change = admin_client.get(reverse("admin:tips_tip_change", args=[tip.pk])).content.decode()
    assert "Which muscles?" in change
