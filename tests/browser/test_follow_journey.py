"""Following a topic by e-mail in a real browser, with the mail going through a real SMTP server:
subscribe, confirm from the mail, get the week's letter, unsubscribe from it."""

import datetime
import io
import re
import time

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from followers import services
from followers.models import Subscription, week_bounds
from tests.browser.conftest import axe_violations
from tests.factories import make_tip
from tests.followers.smtp_sink import start_sink, text_of
from tips.models import Category

TOPIC = "/massage-therapy/"


@pytest.fixture
def smtp(settings, site):
    sink, controller = start_sink()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.SITE_URL = site.url
    settings.ANTISPAM = {**settings.ANTISPAM, "follow": {"min_seconds": 0}}
    yield sink
    controller.stop()


def arrived(sink, count: int):
    """The mail, once the server has it (the site sends it as the request ends)."""
    deadline = time.monotonic() + 10
    while len(sink.messages) < count:
        assert time.monotonic() < deadline, "no mail arrived"
        time.sleep(0.05)
    return sink.messages[count - 1]


def link(message, path: str) -> str:
    return re.search(rf"http://[^\s]+{re.escape(path)}[^\s]+", text_of(message)).group(0)


def test_reader_subscribes_confirms_gets_the_letter_and_unsubscribes(
    page, site, watch, smtp, screenshots
):
    page.goto(site.url + TOPIC)
    box = page.get_by_role("complementary", name="Get new Massage Therapy tips by e-mail")
    box.get_by_role("textbox", name="Your e-mail").fill("runner@example.com")
    for width in (375, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        box.scroll_into_view_if_needed()
        page.screenshot(path=screenshots / f"follow-subscribe-{width}.png")
    assert axe_violations(page) == []
    box.get_by_role("button", name="Subscribe").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your inbox")

    confirmation = arrived(smtp, 1)
    assert confirmation["To"] == "runner@example.com"
    page.goto(link(confirmation, "/follow/confirm/"))
    assert not Subscription.objects.confirmed().exists()
    page.get_by_role("button", name="Yes, send me these e-mails").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You’re subscribed")

    week = services.default_letter_week()
    category = Category.objects.get(slug="massage-therapy-techniques")
    make_tip(
        category=category,
        title="Warm Up Before a Deep Tissue Massage",
        publish_at=week_bounds(week)[0] + datetime.timedelta(days=2),
    )
    call_command("send_topic_letters", stdout=io.StringIO())
    letter = arrived(smtp, 2)
    assert "Warm Up Before a Deep Tissue Massage" in text_of(letter)

    page.goto(link(letter, "/follow/manage/"))
    expect(page.get_by_text("New Massage Therapy tips, weekly")).to_be_visible()
    for width in (375, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=screenshots / f"follow-manage-{width}.png", full_page=True)
    assert axe_violations(page) == []

    page.goto(link(letter, "/follow/unsubscribe/"))
    page.get_by_role("button", name="Unsubscribe").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You’re unsubscribed")
    assert not Subscription.objects.exists()
    assert len(smtp.messages) == 2
