"""A reader trusts a tip by what it shows and shares it, on a phone and on a desktop."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import axe_violations
from tests.pages import SEED_TIP
from tips.models import Tip


@pytest.mark.parametrize("width", [375, 1280])
def test_reader_checks_a_tips_sources_and_shares_it_by_copying_the_link(
    page, site, watch, screenshots, width
):
    Tip.objects.filter(slug="neuromuscular-massage-therapy").update(helpful_yes=9, helpful_no=2)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=site.url)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(site.url + SEED_TIP)

    expect(page.get_by_role("complementary", name="About this advice")).to_contain_text(
        "General information, not medical advice"
    )
    sources = page.get_by_role("region", name="Sources").get_by_role("listitem")
    expect(sources).to_have_count(3)
    expect(sources.first.get_by_role("link")).to_have_attribute("href", re.compile(r"^https://"))
    expect(page.locator(".tip__byline")).to_have_text(
        "By Joe Wallace, Licensed massage therapist (LMT), 15 years in practice"
    )
    expect(page.get_by_text("82% of 11 readers found this helpful.")).to_be_visible()
    share = page.get_by_role("region", name="Share this tip")
    expect(share.get_by_role("link", name="E-mail this tip")).to_have_attribute(
        "href", re.compile(r"^mailto:\?subject=Neuromuscular%20Massage%20Therapy&body=")
    )
    # With the script, a button replaces the field the link is shown in.
    expect(share.get_by_role("textbox")).to_be_hidden()
    assert axe_violations(page) == []

    share.get_by_role("button", name="Copy link").click()
    expect(share.get_by_role("status")).to_have_text("Link copied. Paste it wherever you like.")
    assert page.evaluate("navigator.clipboard.readText()") == site.url + SEED_TIP
    assert (
        page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        <= 0
    )
    page.screenshot(path=screenshots / f"tip-trust-share-{width}.png", full_page=True)

    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(share).to_be_hidden()
    expect(page.locator("form").first).to_be_hidden()
    expect(page.get_by_text(f"Printed from {site.url}{SEED_TIP}")).to_be_visible()
    expect(page.get_by_role("region", name="Sources")).to_be_visible()
    page.screenshot(path=screenshots / f"tip-print-{width}.png", full_page=True)


def test_without_javascript_the_link_is_shown_to_copy(browser, site, screenshots):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 375, "height": 900})
    page = context.new_page()
    page.goto(site.url + SEED_TIP)
    share = page.get_by_role("region", name="Share this tip")
    expect(share.get_by_role("textbox", name="Link to this tip")).to_have_value(site.url + SEED_TIP)
    expect(share.get_by_role("button", name="Copy link")).to_be_hidden()
    context.close()
