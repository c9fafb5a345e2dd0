import datetime
import io
import threading

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from requests_app.models import TipRequest
from requests_app.services import tip_request_answer, tip_requests_send_notices
from tests.factories import make_tip, make_tip_request
from tips.models import Tip


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = "https://tips.example.com"
    settings.SITE_NAME = "LifeTips"


@pytest.mark.django_db
def test_answering_with_a_live_tip_sends_one_mail_with_the_absolute_link(
    django_capture_on_commit_callbacks,
):
    tip = make_tip(title="Water Deeply, Not Daily")
    tip_request = make_tip_request(email="ana@example.com", name="Ana")
    with django_capture_on_commit_callbacks(execute=True):
        tip_request_answer(tip_request=tip_request, tip=tip)

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    link = "https://tips.example.com" + tip.get_absolute_url()
    assert message.to == ["ana@example.com"]
    assert message.subject == "Your tip is published: Water Deeply, Not Daily"
    assert link in message.body
    assert "LifeTips" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert f'href="{link}"' in html

    assert tip_requests_send_notices() == 0, "never twice"
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_scheduled_tip_sends_when_it_goes_live(django_capture_on_commit_callbacks):
    later = timezone.now() + datetime.timedelta(hours=3)
    tip = make_tip(publish_at=later)
    tip_request = make_tip_request(email="ana@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        tip_request_answer(tip_request=tip_request, tip=tip)
    assert mail.outbox == []

    call_command("send_tip_request_notices", stdout=io.StringIO())
    assert mail.outbox == [], "still scheduled"

    Tip.objects.filter(pk=tip.pk).update(publish_at=timezone.now() - datetime.timedelta(minutes=1))
    out = io.StringIO()
    call_command("send_tip_request_notices", stdout=out)
    assert len(mail.outbox) == 1
    assert "Sent 1 notice" in out.getvalue()
    call_command("send_tip_request_notices", stdout=io.StringIO())
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_declined_and_email_less_requests_send_nothing(django_capture_on_commit_callbacks):
    tip = make_tip()
    make_tip_request(email="no@example.com", status=TipRequest.Status.DECLINED)
    silent = make_tip_request(email="")
    with django_capture_on_commit_callbacks(execute=True):
        tip_request_answer(tip_request=silent, tip=tip)
    assert tip_requests_send_notices() == 0
    assert mail.outbox == []


@pytest.mark.django_db
def test_a_failed_send_is_retried_by_the_next_run(monkeypatch):
    tip = make_tip()
    make_tip_request(email="ana@example.com", status="answered", answer_tip=tip)

    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", refuse)
    assert tip_requests_send_notices() == 0
    assert TipRequest.objects.get().notified_at is None
    monkeypatch.undo()
    assert tip_requests_send_notices() == 1
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_two_copies_running_at_once_send_each_notice_once():
    tip = make_tip()
    for i in range(20):
        make_tip_request(email=f"r{i}@example.com", status="answered", answer_tip=tip)
    start = threading.Barrier(2)
    results = []

    def run():
        start.wait()
        try:
            results.append(tip_requests_send_notices())
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sum(results) == 20
    assert sorted(m.to[0] for m in mail.outbox) == sorted(f"r{i}@example.com" for i in range(20))
    assert not TipRequest.objects.filter(notified_at=None).exists()
