"""Subscribing: the forms on the pages, double opt-in by a real mail, and its clear failures."""

import datetime
import re
import time

import pytest
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from followers.models import Subscription
from tests.factories import follow_data, make_guru, make_subscription, make_tip, make_topic
from tests.followers.smtp_sink import html_of, text_of

# Mail goes out once the subscription is committed, as it does on the site.
pytestmark = pytest.mark.django_db(transaction=True)


def link_in(message, path: str) -> str:
    match = re.search(rf"https://tips\.example\.org{re.escape(path)}[^\s\"<>]+", text_of(message))
    assert match, text_of(message)
    return match.group(0)


def test_a_topic_page_offers_its_weekly_letter_and_a_tip_page_its_comments(client):
    tip = make_tip()
    topic = tip.category.topic
    topic_page = client.get(topic.get_absolute_url()).content.decode()
    assert f"Get new {topic.name} tips by e-mail" in topic_page
    assert f'value="{topic.slug}"' in topic_page
    tip_page = client.get(tip.get_absolute_url()).content.decode()
    assert f"Get new {topic.name} tips by e-mail" in tip_page
    assert "E-mail me when someone else comments on this tip" in tip_page


def test_a_guru_page_offers_the_letters_of_the_gurus_topics(client):
    knitting, baking = make_topic(name="Knitting"), make_topic(name="Baking")
    guru = make_guru(name="Ada Stone", topics=[knitting, baking])
    page = client.get(guru.get_absolute_url()).content.decode()
    assert "Get Ada Stone’s topics by e-mail" in page
    assert ">Knitting</option>" in page
    assert ">Baking</option>" in page


def test_subscribing_sends_a_well_formed_confirmation_and_nothing_else(client, smtp):
    """The confirmation arrives through SMTP: Message-ID, Date, a text part, absolute links,
    one-click unsubscribe headers; the address is not subscribed until it is confirmed."""
    topic = make_topic(name="Massage Therapy")
    response = client.post(
        reverse("followers:follow-topic"), follow_data(topic=topic.slug, email="Fan@Example.com ")
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("followers:check-inbox")
    assert "Check your inbox" in client.get(response["Location"]).content.decode()

    [message] = smtp.messages
    assert message["To"] == "fan@example.com"
    assert "Please confirm" in message["Subject"]
    assert message["Message-ID"].endswith("@tips.example.org>")
    assert message["Date"]
    # Long headers may be folded; the value is what lies between the angle brackets.
    assert (
        message["List-Unsubscribe"]
        .strip()
        .startswith("<https://tips.example.org/follow/unsubscribe/")
    )
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "New Massage Therapy tips, weekly" in text_of(message)
    assert "https://tips.example.org/follow/confirm/" in html_of(message)
    subscription = Subscription.objects.get()
    assert subscription.email == "fan@example.com"
    assert subscription.confirmed_at is None
    assert not Subscription.objects.confirmed().exists()


def test_the_confirmation_link_asks_for_a_click_then_confirms_once(client, smtp):
    topic = make_topic()
    client.post(reverse("followers:follow-topic"), follow_data(topic=topic.slug))
    url = link_in(smtp.messages[0], "/follow/confirm/")
    path = url.removeprefix("https://tips.example.org")

    page = client.get(path)
    assert "Yes, send me these e-mails" in page.content.decode()
    assert not Subscription.objects.confirmed().exists()  # link scanners open links

    done = client.post(path)
    assert "You’re subscribed" in done.content.decode()
    assert Subscription.objects.confirmed().count() == 1

    again = client.post(path)
    assert again.status_code == 200
    assert "You’re already subscribed" in again.content.decode()


def test_asking_again_resends_at_most_once_an_hour_and_never_says_who_is_subscribed(
    client, smtp, settings
):
    settings.ANTISPAM = {**settings.ANTISPAM, "follow": {"interval_seconds": 0}}
    topic = make_topic()
    data = follow_data(topic=topic.slug, email="fan@example.com")
    first = client.post(reverse("followers:follow-topic"), data)
    second = client.post(reverse("followers:follow-topic"), follow_data(topic=topic.slug))
    assert len(smtp.messages) == 1
    Subscription.objects.update(confirmation_sent_at=timezone.now() - datetime.timedelta(hours=2))
    client.post(reverse("followers:follow-topic"), follow_data(topic=topic.slug))
    assert len(smtp.messages) == 2

    Subscription.objects.update(confirmed_at=timezone.now())
    confirmed = client.post(reverse("followers:follow-topic"), follow_data(topic=topic.slug))
    assert len(smtp.messages) == 2  # a confirmed address is not asked again
    assert first["Location"] == second["Location"] == confirmed["Location"]


def test_a_tampered_or_expired_confirmation_link_gets_a_page_that_says_what_to_do(
    client, smtp, monkeypatch
):
    topic = make_topic()
    client.post(reverse("followers:follow-topic"), follow_data(topic=topic.slug))
    path = link_in(smtp.messages[0], "/follow/confirm/").removeprefix("https://tips.example.org")

    tampered = client.get(path[:-3] + "xyz/")
    assert tampered.status_code == 400
    assert "This link doesn’t work" in tampered.content.decode()
    forged = client.get(reverse("followers:confirm", args=["not-a-token"]))
    assert "This link doesn’t work" in forged.content.decode()

    eight_days_later = time.time() + 8 * 86400
    monkeypatch.setattr(signing.time, "time", lambda: eight_days_later)
    expired = client.post(path)
    assert expired.status_code == 400
    assert "This link has expired" in expired.content.decode()
    assert "Ask again" in expired.content.decode()
    assert not Subscription.objects.confirmed().exists()


def test_a_confirmation_link_for_a_subscription_that_ended_says_so(client, smtp):
    topic = make_topic()
    client.post(reverse("followers:follow-topic"), follow_data(topic=topic.slug))
    path = link_in(smtp.messages[0], "/follow/confirm/").removeprefix("https://tips.example.org")
    Subscription.objects.all().delete()
    response = client.get(path)
    assert response.status_code == 200
    assert "You’re not subscribed" in response.content.decode()


def test_following_a_tips_comments_is_confirmed_the_same_way(client, smtp):
    tip = make_tip(title="Neuromuscular Massage Therapy")
    response = client.post(
        reverse("followers:follow-tip", args=[tip.pk]), follow_data("follow-tip")
    )
    assert response.status_code == 302
    [message] = smtp.messages
    assert "New comments on “Neuromuscular Massage Therapy”" in text_of(message)
    assert Subscription.objects.get().tip == tip


def test_bad_input_is_answered_next_to_the_field_and_kept(client, smtp):
    topic = make_topic()
    response = client.post(
        reverse("followers:follow-topic"), follow_data(topic=topic.slug, email="not-an-address")
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Enter a valid email address." in page
    assert 'value="not-an-address"' in page
    unknown = client.post(reverse("followers:follow-topic"), follow_data(topic="no-such-topic"))
    assert "Choose one of the topics in the list." in unknown.content.decode()
    assert not smtp.messages
    assert not Subscription.objects.exists()


def test_the_shared_defences_hold_the_forms(client, smtp):
    topic = make_topic()
    bot = client.post(
        reverse("followers:follow-topic"), follow_data(topic=topic.slug, homepage="spam.example")
    )
    assert "leave this empty" in bot.content.decode()
    too_fast = client.post(reverse("followers:follow-topic"), follow_data(topic=topic.slug, age=0))
    assert "quicker than a person can type" in too_fast.content.decode()
    client.post(reverse("followers:follow-topic"), follow_data(topic=topic.slug))
    flood = client.post(reverse("followers:follow-topic"), follow_data(topic=topic.slug))
    assert flood.status_code == 429
    assert len(smtp.messages) == 1


def test_only_published_tips_can_be_followed(client):
    draft = make_tip(status="draft")
    response = client.post(
        reverse("followers:follow-tip", args=[draft.pk]), follow_data("follow-tip")
    )
    assert response.status_code == 404
    make_subscription()  # the factory itself stays valid
