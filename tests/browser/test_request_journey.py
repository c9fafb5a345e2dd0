"""From "I couldn't find it" to "your tip is published", in a real browser."""

import pytest
from django.core import mail
from playwright.sync_api import expect

from tests.browser.conftest import axe_violations
from tests.factories import EDITOR_PASSWORD, make_editor
from tests.pages import SEED_TIP


@pytest.fixture(autouse=True)
def _quick_forms(settings):
    settings.ANTISPAM = {"tip_request": {"min_seconds": 0}}
    settings.SITE_URL = "https://tips.example.com"


def test_visitor_requests_a_tip_and_hears_back_when_it_is_published(page, site, watch, browser):
    page.goto(site.url + SEED_TIP)
    page.get_by_role("link", name="Request a Tip Now!").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Request a Tip")
    chosen = "select => select.selectedOptions[0].textContent"
    assert page.get_by_role("combobox", name="Topic").evaluate(chosen) == "Massage Therapy"
    category = page.get_by_role("combobox", name="Category (optional)").evaluate(chosen)
    assert category == "Massage Therapy › Massage Therapy Techniques"

    question = page.get_by_role("textbox", name="Your question")
    question.press_sequentially("What is trigger point massage for runners?", delay=10)
    suggestions = page.get_by_role("region", name="Maybe one of these helps")
    expect(suggestions).to_be_visible()
    expect(suggestions.get_by_role("link").first).to_be_visible()
    assert axe_violations(page) == []

    page.get_by_role("textbox", name="Email (optional)").fill("runner@example.com")
    page.get_by_role("button", name="Send my request").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thanks, we have your request")
    expect(page.get_by_text("What is trigger point massage for runners?")).to_be_visible()
    assert axe_violations(page) == []

    editor = browser.new_context().new_page()
    make_editor()
    editor.goto(site.url + "/admin/")
    editor.get_by_label("Username").fill("editor")
    editor.get_by_label("Password").fill(EDITOR_PASSWORD)
    editor.get_by_role("button", name="Log in").click()
    editor.get_by_role("link", name="1 new tip request").click()
    editor.get_by_role("link", name="Write this tip").click()
    expect(editor.get_by_label("Question:")).to_have_value(
        "What is trigger point massage for runners?"
    )
    editor.get_by_label("Title:").fill("Trigger Points for Runners")
    editor.get_by_label("Body:").fill("Press and hold tender spots in the calves for 30 seconds.")
    editor.get_by_label("Status:").select_option("Published")
    editor.get_by_role("button", name="Save", exact=True).click()
    expect(editor.get_by_text("is answered by this tip")).to_be_visible()
    editor.context.close()

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["runner@example.com"]
    link = next(line for line in mail.outbox[0].body.splitlines() if "://" in line)
    assert link.startswith("https://tips.example.com/massage-therapy/massage-therapy-techniques/")
    page.goto(site.url + link.removeprefix("https://tips.example.com"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Trigger Points for Runners")
