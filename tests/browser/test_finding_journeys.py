"""Finding and judging tips in a real browser: search from the header, vote "No" with a reason."""

import pytest
from playwright.sync_api import expect

from tests.pages import SEED_TIP
from tips.models import Tip, Vote


def test_reader_searches_from_the_header_and_opens_a_result(page, site, watch):
    page.goto(site.url + "/gurus/joe-wallace/")
    page.get_by_role("searchbox", name="Search tips").fill("neuromuscular")
    page.get_by_role("search", name="Site").get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Search results for “neuromuscular”")
    expect(page.locator("mark").first).to_be_visible()
    page.get_by_role("link", name="Neuromuscular Massage Therapy").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Neuromuscular Massage Therapy")


def test_a_search_without_results_offers_to_request_the_tip(page, site, watch):
    page.goto(site.url + "/")
    page.get_by_role("searchbox", name="Search tips").fill("zebra grooming")
    page.keyboard.press("Enter")
    expect(page.get_by_text("No tips match “zebra grooming”")).to_be_visible()
    page.get_by_role("link", name="Request a Tip Now!").click()
    expect(page.get_by_role("textbox", name="Your question")).to_have_value("zebra grooming")


@pytest.fixture
def _quick_votes(settings):
    settings.ANTISPAM = {"vote": {"min_seconds": 0, "interval_seconds": 0, "per_hour": 60}}


@pytest.mark.usefixtures("_quick_votes")
def test_reader_votes_no_and_says_what_was_missing_without_a_reload(page, site, watch):
    page.goto(site.url + SEED_TIP)
    page.evaluate("window.stayedOnPage = true")
    helpful = page.get_by_role("region", name="Was this tip helpful?")
    helpful.get_by_role("button", name="No").click()
    expect(helpful.get_by_text("Thanks for telling us.")).to_be_visible()
    reason = helpful.get_by_role("textbox", name="What was missing?")
    expect(reason).to_be_focused()
    reason.fill("How long should each point be held?")
    helpful.get_by_role("button", name="Send").click()
    expect(helpful.get_by_role("textbox", name="What was missing?")).to_be_hidden()
    assert page.evaluate("window.stayedOnPage") is True, "no page reload"
    expect(helpful.get_by_role("button", name="No")).to_have_attribute("aria-pressed", "true")

    vote = Vote.objects.get()
    assert (vote.helpful, vote.reason) == (False, "How long should each point be held?")
    tip = Tip.objects.get(slug="neuromuscular-massage-therapy")
    assert (tip.helpful_yes, tip.helpful_no) == (0, 1)

    page.reload()
    expect(page.get_by_text("You said this tip didn’t help.")).to_be_visible()


@pytest.mark.usefixtures("_quick_votes")
def test_voting_works_without_javascript(browser, site):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site.url + SEED_TIP)
    page.get_by_role("button", name="Yes").click()
    expect(page.get_by_text("Thanks! Glad this tip helped.")).to_be_visible()
    assert page.url.endswith("#helpful")
    context.close()
    assert Vote.objects.get().helpful is True
