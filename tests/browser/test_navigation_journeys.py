"""Finding one's way around the network in a real browser, on a phone and on a desktop: the
header's topic menu by keyboard, a topic's tips by how helpful readers found them, and the tip a
mistyped address meant, from the 404 page."""

import re

import pytest
from playwright.sync_api import expect

from tests.pages import SEED_TIP
from tips.models import Tip

WIDTHS = [375, 1280]


def rate(title: str, yes: int, no: int) -> None:
    Tip.objects.filter(title=title).update(helpful_yes=yes, helpful_no=no)


@pytest.mark.parametrize("width", WIDTHS)
def test_reader_opens_the_topic_menu_by_keyboard_and_finds_the_most_helpful_tip(
    page, site, watch, screenshots, width
):
    rate("Trigger Point Therapy", 9, 1)
    rate("Myofascial Release", 12, 0)
    rate("Massage Therapy Licensing", 2, 0)  # too few votes to rank above the others
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(site.url + "/")

    toggle = page.get_by_role("button", name="Topics")
    for _ in range(3):  # the skip link, the site's name, the menu
        page.keyboard.press("Tab")
    expect(toggle).to_be_focused()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    menu = page.get_by_role("navigation", name="Topics")
    massage = menu.get_by_role("link", name=re.compile(r"^Massage Therapy"))
    expect(massage).to_be_visible()
    page.screenshot(path=screenshots / f"menu-open-{width}.png")

    page.keyboard.press("Escape")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(toggle).to_be_focused()
    expect(massage).to_be_hidden()

    page.keyboard.press("Space")
    expect(massage).to_be_visible()
    for _ in range(8):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent").startswith("Massage Therapy"):
            break
    expect(massage).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Massage Therapy Tip Site")
    helpful = page.get_by_role("region", name="Most helpful in Massage Therapy")
    expect(helpful.get_by_role("heading", level=3)).to_have_text(
        ["Myofascial Release", "Trigger Point Therapy"]
    )

    page.get_by_role("link", name=re.compile(r"^All \d+ Massage Therapy tips$")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("All Massage Therapy tips")
    sort = page.get_by_role("navigation", name="Sort tips")
    sort.get_by_role("link", name="Most helpful").click()
    expect(page).to_have_url(re.compile(r"/massage-therapy/tips/\?sort=helpful$"))
    titles = page.locator(".tip-card__title")
    expect(titles.nth(0)).to_have_text("Myofascial Release")
    expect(titles.nth(1)).to_have_text("Trigger Point Therapy")
    expect(titles.nth(2)).to_have_text("Massage Therapy Licensing")
    expect(page.get_by_text("100% found it helpful")).to_be_visible()
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    page.screenshot(path=screenshots / f"topic-tips-{width}.png", full_page=True)

    page.get_by_role("link", name="Myofascial Release").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Myofascial Release")


@pytest.mark.parametrize("width", WIDTHS)
def test_a_mistyped_address_leads_to_the_tip_it_meant(page, site, watch, screenshots, width):
    page.set_viewport_size({"width": width, "height": 900})
    url = watch.expect_missing(site.url + "/massage-therapy/neuromuscular-massage-therapi/")
    response = page.goto(url)
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("We couldn’t find that page")
    expect(page.get_by_role("search", name="Search for the tip")).to_be_visible()
    expect(
        page.get_by_role("region", name="Or browse a topic site").get_by_role("link")
    ).to_have_count(4)
    page.screenshot(path=screenshots / f"not-found-{width}.png", full_page=True)

    suggestions = page.get_by_role("list", name="Tips like the address")
    suggestions.get_by_role("link", name="Neuromuscular Massage Therapy").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Neuromuscular Massage Therapy")


def test_the_topic_menu_closes_on_a_click_elsewhere_and_on_leaving_it(page, site, watch):
    page.goto(site.url + "/")
    toggle = page.get_by_role("button", name="Topics")
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    page.get_by_role("contentinfo").click()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    toggle.click()
    page.get_by_role("searchbox", name="Search tips").focus()
    expect(toggle).to_have_attribute("aria-expanded", "false")


def test_without_javascript_topics_is_a_link_to_the_topic_sites(browser, site):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site.url + "/gurus/joe-wallace/")
    expect(page.get_by_role("button", name="Topics")).to_have_count(0)
    page.get_by_role("link", name="Topics", exact=True).click()
    expect(page.get_by_role("region", name="Tip sites")).to_be_in_viewport()
    context.close()


def test_a_wrapped_breadcrumb_line_never_starts_with_a_separator(page, site, watch):
    page.set_viewport_size({"width": 375, "height": 900})
    page.goto(site.url + SEED_TIP)
    lines = page.evaluate(
        """() => {
            const items = [...document.querySelectorAll('nav[aria-label="Breadcrumb"] li')];
            const tops = items.map((li) => li.getBoundingClientRect().top);
            return items.map((li, i) => ({
                text: li.textContent.trim(),
                startsLine: i > 0 && tops[i] > tops[i - 1],
                before: getComputedStyle(li, '::before').content,
            }));
        }"""
    )
    wrapped = [line for line in lines if line["startsLine"]]
    assert wrapped, "the seed tip's breadcrumb wraps at 375 px"
    assert [line["before"] for line in wrapped] == ["none"] * len(wrapped), lines
