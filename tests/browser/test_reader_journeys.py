"""A reader's way through the site in a real browser, on a phone and on a desktop."""

import re

import pytest
from playwright.sync_api import expect

from tests.pages import EXPECTED_STATUS, PAGE_TYPES, SEED_TIP


def test_reader_goes_from_home_to_the_seed_tip_and_on_to_the_guru(page, site, watch):
    page.goto(site.url + "/")
    page.get_by_role("link", name="Massage Therapy", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Massage Therapy Tip Site")

    categories = page.get_by_role("region", name="Categories")
    categories.get_by_role("link", name="Massage Therapy Techniques").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Massage Therapy Techniques")

    page.get_by_role("link", name="Neuromuscular Massage Therapy").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Neuromuscular Massage Therapy")
    crumbs = page.get_by_role("navigation", name="Breadcrumb")
    expect(crumbs.get_by_role("link", name="Massage Therapy", exact=True)).to_be_visible()
    expect(crumbs.get_by_role("link", name="Massage Therapy Techniques")).to_be_visible()
    expect(
        page.get_by_text("Read this tip to make your life smarter, better, faster and wiser.")
    ).to_be_visible()
    expect(
        page.get_by_role("heading", level=2, name="What is Neuromuscular Therapy?")
    ).to_be_visible()
    expect(page.get_by_text("like the Cortiva Institute")).to_be_visible()
    request_link = page.get_by_role("link", name="Request a Tip Now!")
    expect(request_link).to_have_attribute(
        "href", "/request-a-tip/?category=massage-therapy-techniques"
    )
    spotlight = page.get_by_role("region", name="Guru Spotlight")
    expect(spotlight).to_be_visible()

    spotlight.get_by_role("link", name="Joe Wallace").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Joe Wallace")
    expect(page.get_by_role("img", name="Portrait of Joe Wallace")).to_be_visible()
    expect(page.get_by_role("link", name="Neuromuscular Massage Therapy")).to_be_visible()


@pytest.mark.parametrize("width", [375, 1280])
@pytest.mark.parametrize("name", PAGE_TYPES)
def test_every_page_type_fits_the_screen(
    page, site, reader_activity, watch, screenshots, name, width
):
    page.set_viewport_size({"width": width, "height": 900})
    url = site.url + PAGE_TYPES[name]
    status = EXPECTED_STATUS.get(name, 200)
    if status == 404:
        watch.expect_missing(url)
    response = page.goto(url)
    assert response.status == status
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    page.screenshot(path=screenshots / f"{name}-{width}.png", full_page=True)
    assert overflow <= 0, f"{name} scrolls sideways by {overflow}px at {width}px"


def test_keyboard_users_can_skip_to_the_content_and_see_where_focus_is(page, site, watch):
    page.goto(site.url + SEED_TIP)
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()

    # From the top of the page, Tab reaches every link and control, each with a visible focus ring.
    page.goto(site.url + SEED_TIP)  # a fresh page: focus starts at the document
    total = page.evaluate(
        """() => {
            const items = document.querySelectorAll(
                'a[href], button, select, textarea, input:not([type=hidden]):not([tabindex="-1"])'
            );
            const shown = [...items].filter((el) => el.checkVisibility());
            shown.forEach((el, i) => el.dataset.kbd = i);
            return shown.length;
        }"""
    )
    reached = set()
    for _ in range(total + 2):
        page.keyboard.press("Tab")
        focus = page.evaluate(
            """() => {
                const el = document.activeElement;
                const style = getComputedStyle(el);
                return {
                    index: el.dataset.kbd ?? null,
                    html: el.outerHTML.slice(0, 100),
                    ring: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2,
                };
            }"""
        )
        if focus["index"] is None:
            break
        assert focus["ring"], f"no visible focus on {focus['html']}"
        reached.add(focus["index"])
    assert len(reached) == total, "some links or controls cannot be reached by keyboard"


def test_request_a_tip_link_carries_the_topic_on_topic_pages(page, site, watch):
    page.goto(site.url + "/home-cooking/")
    expect(page.get_by_role("link", name="Request a Tip Now!")).to_have_attribute(
        "href", re.compile(r"\?topic=home-cooking$")
    )
