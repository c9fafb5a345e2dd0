"""A guru writes and submits a tip; an editor sends it back, then approves and schedules it; it
goes live by itself. In a real browser, logging in through the login form each time."""

import datetime

from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.test_editor_journey import choose
from tests.factories import EDITOR_PASSWORD, GURU_PASSWORD, make_editor, make_guru_user
from tips.models import Guru, Tip

TITLE = "Ease Tension Headaches With a Neck Release"


def log_in(page, site, username: str, password: str) -> None:
    page.goto(site.url + "/admin/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def log_out(page) -> None:
    page.get_by_role("button", name="Log out").click()


def test_guru_submits_editor_sends_back_then_schedules_and_it_goes_live(page, site, watch):
    editor = make_editor()
    editor.email = "editor@example.com"
    editor.save()
    make_guru_user("joe", guru=Guru.objects.get(slug="joe-wallace"), email="joe@example.com")

    # The guru writes a tip and submits it.
    log_in(page, site, "joe", GURU_PASSWORD)
    page.get_by_role("link", name="Tips").last.click()
    page.get_by_role("link", name="Add tip").click()
    expect(page.get_by_label("Status:")).to_have_count(0)
    page.get_by_label("Title:").fill(TITLE)
    page.get_by_label("Question:").fill("How do I ease a tension headache at my desk?")
    page.get_by_label("Body:").fill("Drop your chin to your chest and breathe slowly.")
    choose(page, "Category:", "Techniques", "Massage Therapy › Massage Therapy Techniques")
    page.get_by_role("button", name="Save and submit for review").click()
    expect(page.get_by_text("is submitted for review")).to_be_visible()
    assert [message.to for message in mail.outbox] == [["editor@example.com"]]
    log_out(page)

    # The editor finds it in the queue and asks for a change.
    log_in(page, site, "editor", EDITOR_PASSWORD)
    page.get_by_role("link", name="1 tip awaits review").click()
    page.get_by_role("link", name=TITLE).click()
    page.get_by_role("button", name="Request changes").click()
    expect(page.get_by_text("Say what the guru should change.")).to_be_visible()
    page.get_by_label("Note to the guru:").fill("Say how long to hold the stretch.")
    page.get_by_role("button", name="Request changes").click()
    expect(page.get_by_text("is sent back to its guru")).to_be_visible()
    assert mail.outbox[-1].to == ["joe@example.com"]
    log_out(page)

    # The guru reads the note, fixes the tip and submits it again.
    log_in(page, site, "joe", GURU_PASSWORD)
    page.get_by_role("link", name="1 of your tips came back with an editor’s note").click()
    page.get_by_role("link", name=TITLE).click()
    expect(page.get_by_text("Say how long to hold the stretch.")).to_be_visible()
    page.get_by_label("Body:").fill(
        "Drop your chin to your chest, hold it for thirty seconds and breathe slowly."
    )
    page.get_by_role("button", name="Save and submit for review").click()
    expect(page.get_by_text("is submitted for review")).to_be_visible()
    log_out(page)

    # The editor approves it for a time a few seconds ahead.
    log_in(page, site, "editor", EDITOR_PASSWORD)
    page.get_by_role("link", name="1 tip awaits review").click()
    page.get_by_role("link", name=TITLE).click()
    soon = timezone.localtime() + datetime.timedelta(seconds=15)
    page.locator("#id_publish_at_0").fill(soon.strftime("%Y-%m-%d"))
    page.locator("#id_publish_at_1").fill(soon.strftime("%H:%M:%S"))
    page.get_by_role("button", name="Approve and schedule").click()
    expect(page.get_by_text("is approved and scheduled for")).to_be_visible()
    assert len(mail.outbox) == 4
    assert "scheduled" in mail.outbox[-1].subject
    log_out(page)

    # Readers get a 404 until its time, then the tip, with no job run. (A machine so busy that
    # the time has passed already skips the first look rather than fail.)
    tip = Tip.objects.get(title=TITLE)
    url = watch.expect_missing(site.url + tip.get_absolute_url())
    if timezone.now() < tip.publish_at - datetime.timedelta(seconds=2):
        assert page.goto(url).status == 404
    page.wait_for_timeout(max(0, (tip.publish_at - timezone.now()).total_seconds() * 1000) + 1500)
    response = page.goto(url)
    assert response.status == 200
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.get_by_text("hold it for thirty seconds")).to_be_visible()
