import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from comments.models import Comment
from comments.services import tips_refresh_comment_counts
from tests.factories import comment_data, form_token, make_comment, make_tip
from tips.models import Tip
from tipsite.antispam import token_age

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _moderation_defaults(settings):
    settings.COMMENTS_MODERATION = "first"
    settings.COMMENTS_MODERATION_WORDS = []
    settings.COMMENTS_DISALLOWED_WORDS = ["casino bonus"]


def post(client, tip, **fields):
    return client.post(reverse("comments:post", args=[tip.pk]), comment_data(**fields))


def test_the_seed_empty_state_and_the_form_labels(client):
    html = client.get(make_tip().get_absolute_url()).content.decode()
    assert "Nobody has commented on this tip yet. Be the first." in html
    for field, label in (("name", "Name"), ("email", "Email"), ("url", "URL (optional)"),
                         ("body", "Comment")):  # fmt: skip
        label_html = html.split(f'for="id_{field}"', 1)[1].split("</label>", 1)[0]
        assert label_html.split(">", 1)[1].strip().startswith(label)
    assert 'name="homepage"' in html
    assert 'aria-hidden="true"' in html
    assert 'name="issued"' in html


def test_a_first_comment_is_held_and_only_its_author_sees_it(client):
    tip = make_tip()
    response = post(client, tip, follow=False)
    assert response.status_code == 302
    assert response["Location"] == f"{tip.get_absolute_url()}#comments"

    comment = Comment.objects.get()
    assert comment.status == Comment.Status.PENDING
    page = client.get(tip.get_absolute_url()).content.decode()
    assert "Thanks! Your comment is awaiting moderation." in page
    assert "Awaiting moderation" in page
    assert "This helped my sore shoulders" in page

    stranger = Client().get(tip.get_absolute_url()).content.decode()
    assert "This helped my sore shoulders" not in stranger
    assert "Nobody has commented on this tip yet. Be the first." in stranger


def test_a_known_commenter_is_published_at_once_and_lands_on_the_anchor(client):
    tip = make_tip()
    make_comment(tip=make_tip(), email="maya@example.com")
    response = post(client, tip, email="MAYA@example.com")
    comment = Comment.objects.get(tip=tip)
    assert comment.status == Comment.Status.APPROVED
    assert response["Location"] == f"{tip.get_absolute_url()}#c{comment.pk}"
    assert "Thanks! Your comment is published." in client.get(response["Location"]).content.decode()

    html = Client().get(tip.get_absolute_url()).content.decode()
    assert f'id="c{comment.pk}"' in html
    assert "1 comment" in html
    tip.refresh_from_db()
    assert tip.comment_count == 1


def test_approved_comments_show_oldest_first_with_escaped_text_and_nofollow_links(client):
    tip = make_tip()
    first = make_comment(tip=tip, name="Ann", body="First line\n\nSecond <b>para</b>")
    make_comment(tip=tip, name="Ben", url="https://ben.example/", body="Later")
    make_comment(tip=tip, name="Hidden", status=Comment.Status.PENDING)
    html = client.get(tip.get_absolute_url()).content.decode()

    assert html.index("Ann") < html.index("Ben")
    assert "<p>First line</p>" in html
    assert "Second &lt;b&gt;para&lt;/b&gt;" in html
    assert '<a href="https://ben.example/" rel="nofollow ugc noopener">Ben</a>' in html
    assert "Hidden" not in html
    assert first.email not in html


def test_more_than_fifty_comments_are_paginated(client, settings):
    tip = make_tip()
    Comment.objects.bulk_create(
        Comment(tip=tip, name=f"Reader {i}", email=f"r{i}@example.com", body=f"Note {i}",
                status=Comment.Status.APPROVED, fingerprint=str(i))
        for i in range(55)
    )  # fmt: skip
    tips_refresh_comment_counts(tip_ids=[tip.pk])
    first = client.get(tip.get_absolute_url()).content.decode()
    second = client.get(tip.get_absolute_url() + "?comments=2").content.decode()
    assert first.count('class="comment"') == 50
    assert second.count('class="comment"') == 5
    assert "Comments page 2 of 2" in second


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"name": ""}, "name", "This field is required."),
        ({"name": "x" * 51}, "name", "at most 50 characters"),
        ({"email": ""}, "email", "This field is required."),
        ({"email": "not-an-email"}, "email", "Enter a valid email address."),
        ({"email": "a" * 250 + "@example.com"}, "email", "at most 254 characters"),
        ({"url": "javascript:alert(1)"}, "url", "starts with http:// or https://"),
        ({"url": "data:text/html,hi"}, "url", "starts with http:// or https://"),
        ({"url": "ftp://example.com/x"}, "url", "starts with http:// or https://"),
        ({"url": "https://example.com/" + "a" * 200}, "url", "at most 200 characters"),
        ({"body": ""}, "body", "This field is required."),
        ({"body": "x"}, "body", "at least 2 characters"),
        ({"body": "x" * 3001}, "body", "at most 3000 characters"),
    ],
)
def test_bad_input_gets_a_message_by_the_field_and_keeps_what_was_typed(
    client, fields, field, message
):
    tip = make_tip()
    response = post(client, tip, **fields)
    html = response.content.decode()
    assert response.status_code == 200
    error = html.split(f'id="error_1_id_{field}">', 1)[1].split("</p>", 1)[0]
    assert message in error, "the message stands by its own field"
    assert f'aria-describedby="id_{field}_error"' in html or f'id="id_{field}_error"' in html
    kept = "name" if field != "name" else "email"
    assert f'value="{comment_data()[kept]}"' in html, "what was typed is kept"
    assert not Comment.objects.exists()


def test_script_in_every_field_is_stored_as_text_and_shown_escaped():
    tip = make_tip()
    client = Client()
    make_comment(tip=make_tip(), email="eve@example.com")  # trusted: published at once
    evil = "<script>alert(1)</script>"
    response = post(client, tip, name=evil[:50], email="eve@example.com", body=f"Hi {evil}")
    assert response.status_code == 302
    html = client.get(tip.get_absolute_url()).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"homepage": "http://spam.example"}, "leave this empty"),
        ({"age": 0.5}, "quicker than a person can type"),
        ({"age": 2 * 3600 + 60}, "has expired"),
        ({"issued": "garbage"}, "could not be verified"),
        ({"issued": form_token("comment")[:-3] + "abc"}, "could not be verified"),
        ({"issued": form_token("tip_request")}, "could not be verified"),
        ({"issued": ""}, "could not be verified"),
    ],
    ids=["honeypot", "too-fast", "expired", "garbage", "tampered", "other-form", "missing"],
)
def test_bots_are_refused_with_a_clear_message_and_the_text_is_kept(client, fields, message):
    tip = make_tip()
    response = post(client, tip, **fields)
    html = response.content.decode()
    assert response.status_code == 200
    assert message in html
    assert "This helped my sore shoulders a lot" in html
    assert not Comment.objects.exists()


def shown_form_time(html: str) -> str:
    return html.split('name="issued" value="', 1)[1].split('"', 1)[0]


def test_a_refused_form_keeps_its_time_so_a_quick_correction_is_accepted(client):
    tip = make_tip()
    shown = form_token("comment", age=4)
    html = post(client, tip, issued=shown, email="").content.decode()
    assert "This field is required." in html
    assert shown_form_time(html) == shown
    # Corrected within a second: the form was on screen for longer than the minimum.
    response = post(client, tip, issued=shown_form_time(html))
    assert response.status_code == 302
    assert Comment.objects.get().email == "maya@example.com"


@pytest.mark.parametrize("shown", ["garbage", form_token("comment", age=2 * 3600 + 60)])
def test_a_forged_or_expired_form_time_is_replaced_so_sending_again_works(client, shown):
    tip = make_tip()
    html = post(client, tip, issued=shown).content.decode()
    fresh = shown_form_time(html)
    assert fresh != shown
    assert 0 <= token_age("comment", fresh) < 5


def test_missing_csrf_token_is_refused():
    client = Client(enforce_csrf_checks=True)
    tip = make_tip()
    response = post(client, tip)
    assert response.status_code == 403
    assert "security token" in response.content.decode()
    assert not Comment.objects.exists()


def test_closed_tips_say_so_and_refuse_comments(client):
    tip = make_tip(comments_closed=True)
    html = client.get(tip.get_absolute_url()).content.decode()
    assert "Comments are closed on this tip." in html
    assert 'name="body"' not in html
    post(client, tip)
    assert not Comment.objects.exists()


def test_comments_close_automatically_after_the_configured_days(client, settings):
    settings.COMMENTS_CLOSE_AFTER_DAYS = 30
    old = make_tip(publish_at=timezone.now() - datetime.timedelta(days=31))
    recent = make_tip(publish_at=timezone.now() - datetime.timedelta(days=29))
    assert not old.comments_open
    assert recent.comments_open
    post(client, old)
    assert not Comment.objects.exists()


def test_comments_on_drafts_and_unknown_tips_are_404(client):
    draft = make_tip(status=Tip.Status.DRAFT)
    assert post(client, draft).status_code == 404
    assert client.post(reverse("comments:post", args=[999999]), comment_data()).status_code == 404
    assert client.get(reverse("comments:post", args=[draft.pk])).status_code == 405


def test_the_same_text_from_the_same_email_is_stored_once(client, settings):
    settings.ANTISPAM = {"comment": {"interval_seconds": 0}}
    tip = make_tip()
    post(client, tip)
    post(client, tip, body="  This helped my   sore shoulders a lot, thank you. ")
    assert Comment.objects.count() == 1
    post(client, tip, body="A different thought entirely.")
    assert Comment.objects.count() == 2


def test_flooding_from_one_ip_or_email_gets_a_429_that_says_when_to_retry(client):
    tip = make_tip()
    assert post(client, tip).status_code == 302
    again = post(client, tip, email="other@example.com", body="Another one")
    assert again.status_code == 429
    assert int(again["Retry-After"]) <= 15
    assert "please try again in" in again.content.decode()

    same_email = client.post(
        reverse("comments:post", args=[tip.pk]),
        comment_data(body="From elsewhere"),
        REMOTE_ADDR="10.1.1.1",
    )
    assert same_email.status_code == 429
    assert Comment.objects.count() == 1


def test_more_than_ten_an_hour_from_one_ip_is_throttled(client, settings):
    settings.ANTISPAM = {"comment": {"interval_seconds": 0}}
    tip = make_tip()
    statuses = [
        post(client, tip, email=f"p{i}@example.com", body=f"Comment {i}").status_code
        for i in range(11)
    ]
    assert statuses == [302] * 10 + [429]
    assert Comment.objects.count() == 10


def test_comment_permalink_leads_to_the_right_page_and_anchor(client, settings):
    settings.COMMENTS_PER_PAGE = 2
    tip = make_tip()
    comments = [make_comment(tip=tip) for _ in range(3)]
    response = client.get(reverse("comments:permalink", args=[comments[2].pk]))
    assert response["Location"] == f"{tip.get_absolute_url()}?comments=2#c{comments[2].pk}"
    pending = make_comment(tip=tip, status=Comment.Status.PENDING)
    assert client.get(reverse("comments:permalink", args=[pending.pk])).status_code == 404


def test_a_published_comment_leads_to_its_own_page_and_anchor(client, settings):
    settings.COMMENTS_PER_PAGE = 2
    settings.COMMENTS_MODERATION = "none"
    settings.ANTISPAM = {"comment": {"interval_seconds": 0}}
    tip = make_tip()
    locations = [
        post(client, tip, email=f"p{i}@example.com", body=f"Comment {i}")["Location"]
        for i in range(3)
    ]
    comments = list(Comment.objects.order_by("submitted_at", "pk"))
    url = tip.get_absolute_url()
    assert locations == [
        f"{url}#c{comments[0].pk}",
        f"{url}#c{comments[1].pk}",
        f"{url}?comments=2#c{comments[2].pk}",
    ]
    tip.refresh_from_db()
    assert tip.comment_count == 3
