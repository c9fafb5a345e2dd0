"""The weekly topic letter: what it says, its unsubscribe, and each letter sent exactly once."""

import datetime
import io
import threading
from collections import Counter

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client

from followers import services
from followers.models import Letter, Subscription, week_bounds
from tests.factories import make_category, make_subscription, make_tip, make_topic
from tests.followers.smtp_sink import html_of, text_of

pytestmark = pytest.mark.django_db(transaction=True)

WEEK = services.default_letter_week()


def in_week(days: float = 2) -> datetime.datetime:
    return week_bounds(WEEK)[0] + datetime.timedelta(days=days)


def topic_with_new_tips(name: str = "Massage Therapy", tips: int = 2):
    topic = make_topic(name=name)
    category = make_category(topic=topic)
    made = [
        make_tip(category=category, publish_at=in_week(1 + n), helpful_yes=n) for n in range(tips)
    ]
    return topic, made


def send(**options):
    call_command("send_topic_letters", week=WEEK, stdout=io.StringIO(), **options)


def test_a_subscriber_gets_the_weeks_new_tips_and_the_tip_of_the_week(smtp, settings):
    topic, (older, best) = topic_with_new_tips()
    make_tip(category=older.category, title="Last month's tip", publish_at=in_week(-20))
    subscription = make_subscription(topic=topic, email="fan@example.com")

    send()

    [letter] = smtp.messages
    assert letter["To"] == "fan@example.com"
    assert letter["Subject"] == "New Massage Therapy tips this week from LifeTips"
    assert letter["From"] == settings.DEFAULT_FROM_EMAIL
    assert letter["Message-ID"]
    assert letter["Date"]
    text, html = text_of(letter), html_of(letter)
    for tip in (older, best):
        assert tip.title in text
        assert tip.question in text
        assert f"https://tips.example.org{tip.get_absolute_url()}" in text
        assert f'href="https://tips.example.org{tip.get_absolute_url()}"' in html
    assert f"Tip of the week: {best.title}" in text
    assert "Last month's tip" not in text
    assert services.unsubscribe_url(subscription) in text
    assert services.manage_url("fan@example.com") in text


def test_a_topic_without_new_tips_and_an_unconfirmed_address_get_nothing(smtp):
    quiet = make_topic(name="Quiet")
    make_tip(category=make_category(topic=quiet), publish_at=in_week(-3))
    make_subscription(topic=quiet)
    busy, _ = topic_with_new_tips("Busy")
    make_subscription(topic=busy, confirmed=False)
    send()
    assert smtp.messages == []


def test_one_click_unsubscribe_by_post_to_the_list_unsubscribe_url(smtp):
    """RFC 8058: a mail program POSTs ``List-Unsubscribe=One-Click`` with no cookie or token."""
    topic, _ = topic_with_new_tips()
    make_subscription(topic=topic, email="fan@example.com")
    send()
    [letter] = smtp.messages
    assert letter["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = letter["List-Unsubscribe"].strip().removeprefix("<").removesuffix(">")
    assert url.startswith("https://tips.example.org/follow/unsubscribe/")
    path = url.removeprefix("https://tips.example.org")

    mail_program = Client(enforce_csrf_checks=True)
    response = mail_program.post(
        path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    assert not Subscription.objects.exists()
    again = mail_program.post(
        path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert again.status_code == 200
    assert "already unsubscribed" in again.content.decode()


def test_a_run_again_sends_nothing_twice(smtp):
    topic, _ = topic_with_new_tips()
    for _ in range(3):
        make_subscription(topic=topic)
    send()
    send()
    assert len(smtp.messages) == 3


def test_a_subscriber_of_two_topics_gets_one_letter_each(smtp):
    first, _ = topic_with_new_tips("First")
    second, _ = topic_with_new_tips("Second")
    make_subscription(topic=first, email="fan@example.com")
    make_subscription(topic=second, email="fan@example.com")
    send()
    assert sorted(message["Subject"] for message in smtp.messages) == [
        "New First tips this week from LifeTips",
        "New Second tips this week from LifeTips",
    ]


def test_a_run_stopped_by_the_mail_server_half_way_resumes_without_repeats_or_gaps(smtp):
    topic, _ = topic_with_new_tips()
    addresses = [make_subscription(topic=topic).email for _ in range(7)]
    smtp.fail_after = 3
    with pytest.raises(CommandError, match="run the command again"):
        send(batch_size=2)
    assert len(smtp.messages) == 3
    assert Letter.objects.exclude(sent_at=None).count() == 3

    smtp.fail_after = None
    send(batch_size=2)
    assert Counter(message["To"] for message in smtp.messages) == dict.fromkeys(addresses, 1)


def test_an_error_mid_batch_stops_the_run_and_the_next_run_sends_the_rest(smtp, monkeypatch):
    topic, _ = topic_with_new_tips()
    addresses = [make_subscription(topic=topic).email for _ in range(5)]
    built = services.build_message
    calls = Counter()

    def failing_fourth(**kwargs):
        calls["built"] += 1
        if calls["built"] == 4:
            raise ConnectionResetError("killed half-way")
        return built(**kwargs)

    monkeypatch.setattr(services, "build_message", failing_fourth)
    with pytest.raises(CommandError):
        send(batch_size=10)
    assert len(smtp.messages) == 3
    monkeypatch.setattr(services, "build_message", built)
    send(batch_size=10)
    assert Counter(message["To"] for message in smtp.messages) == dict.fromkeys(addresses, 1)


def test_two_runs_at_once_send_each_letter_once(smtp):
    """Two copies of the command, each with its own database connection, race for the rows."""
    topic, _ = topic_with_new_tips()
    addresses = [make_subscription(topic=topic).email for _ in range(40)]
    services.topic_letters_plan(week=WEEK)
    start = threading.Barrier(2)
    sent, errors = [], []

    def run():
        try:
            start.wait()
            sent.append(services.topic_letters_send(week=WEEK, batch_size=7))
        except Exception as error:  # reported below, with the thread's own failure
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sum(sent) == 40
    assert Counter(message["To"] for message in smtp.messages) == dict.fromkeys(addresses, 1)


def test_the_command_reports_its_progress(smtp):
    topic, _ = topic_with_new_tips()
    for _ in range(5):
        make_subscription(topic=topic)
    out = io.StringIO()
    call_command("send_topic_letters", week=WEEK, batch_size=2, stdout=out)
    lines = out.getvalue().splitlines()
    assert "5 letter(s) to send" in lines[0]
    assert "Sent 2 of 5 letters." in lines
    assert "Sent 5 of 5 letters." in lines
    assert lines[-1].startswith("Done: 5 letter(s) sent")
