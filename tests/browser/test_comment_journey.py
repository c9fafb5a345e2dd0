"""A reader comments, an editor approves it, and the reader finds it on the tip."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import axe_violations
from tests.factories import EDITOR_PASSWORD, make_editor
from tests.pages import SEED_TIP


@pytest.fixture(autouse=True)
def _quick_forms(settings):
    # A person types for longer than this; the test does not need to wait the real 3 s.
    settings.ANTISPAM = {"comment": {"min_seconds": 0, "interval_seconds": 0}}


def post_comment(page, *, name: str, email: str, body: str) -> None:
    page.get_by_role("textbox", name="Name").fill(name)
    page.get_by_role("textbox", name="Email").fill(email)
    page.get_by_role("textbox", name="Comment").fill(body)
    page.get_by_role("button", name="Post comment").click()


def test_reader_comments_editor_approves_reader_finds_it(page, site, watch, browser, screenshots):
    page.goto(site.url + SEED_TIP)
    expect(page.get_by_text("Nobody has commented on this tip yet. Be the first.")).to_be_visible()
    form_heading = page.get_by_role("heading", name="Leave a comment")
    expect(form_heading).not_to_be_in_viewport()

    # A mistake first: the form says what is wrong, by the field, and keeps the text.
    page.get_by_role("textbox", name="Name").fill("Priya")
    page.get_by_role("textbox", name="Comment").fill(
        "Worked wonders on my lower back after a long run."
    )
    page.get_by_role("button", name="Post comment").click()
    expect(page.get_by_text("This field is required.")).to_be_visible()
    expect(page.get_by_role("textbox", name="Comment")).to_have_value(
        "Worked wonders on my lower back after a long run."
    )
    # The page comes back at the form, not at its top.
    expect(form_heading).to_be_in_viewport()
    assert axe_violations(page) == []

    page.get_by_role("textbox", name="Email").fill("priya@example.com")
    page.get_by_role("textbox", name="URL (optional)").fill("priya.example.org")
    page.get_by_role("button", name="Post comment").click()
    expect(page.get_by_text("Thanks! Your comment is awaiting moderation.")).to_be_visible()
    expect(page.get_by_text("Awaiting moderation", exact=True)).to_be_visible()

    editor_context = browser.new_context()
    admin = editor_context.new_page()
    make_editor()
    admin.goto(site.url + "/admin/")
    admin.get_by_label("Username").fill("editor")
    admin.get_by_label("Password").fill(EDITOR_PASSWORD)
    admin.get_by_role("button", name="Log in").click()
    admin.get_by_role("link", name="1 comment awaits moderation").click()
    admin.get_by_role("checkbox", name="Select this object for an action").first.check()
    admin.get_by_label("Action:").select_option(label="Approve selected comments")
    admin.get_by_role("button", name="Go").click()
    expect(admin.get_by_text("1 comment was approved.")).to_be_visible()
    editor_context.close()

    page.reload()
    author = page.get_by_role("link", name="Priya")
    expect(author).to_have_attribute("href", "https://priya.example.org")
    expect(author).to_have_attribute("rel", "nofollow ugc noopener")
    expect(page.get_by_text("Worked wonders on my lower back")).to_be_visible()
    expect(page.get_by_role("heading", name="1 comment")).to_be_visible()
    expect(page.get_by_text("Awaiting moderation", exact=True)).to_have_count(0)

    # Known now, Priya's next comment is published at once: the page opens at it, and says so.
    post_comment(
        page,
        name="Priya",
        email="priya@example.com",
        body="And again the next morning, even better.",
    )
    expect(page.get_by_text("And again the next morning, even better.")).to_be_in_viewport()
    expect(page.get_by_text("Thanks! Your comment is published.")).to_be_attached()
    expect(page.get_by_role("heading", name="2 comments")).to_be_visible()
    page.screenshot(path=screenshots / "comment-published.png")


def test_a_reader_served_from_the_page_cache_comments_and_votes_with_their_own_token(
    site, browser, settings
):
    settings.PAGE_CACHE_SECONDS = 600
    settings.ANTISPAM = {"comment": {"min_seconds": 0}, "vote": {"min_seconds": 0}}
    first = browser.new_page()
    assert first.goto(site.url + SEED_TIP).headers["x-page-cache"] == "miss"
    first.close()

    reader = browser.new_page()
    errors = []
    reader.on("pageerror", lambda error: errors.append(str(error)))
    response = reader.goto(site.url + SEED_TIP)
    assert response.headers["x-page-cache"] == "hit"
    assert response.headers["content-encoding"] == "gzip"
    assert "set-cookie" not in response.headers, "the page made no token for this reader"
    reader.get_by_role("button", name="Yes").click()
    expect(reader.get_by_text("Thanks! Glad this tip helped.")).to_be_visible()
    post_comment(
        reader,
        name="Ines",
        email="ines@example.com",
        body="Read from the cache, sent all the same.",
    )
    expect(reader.get_by_text("Thanks! Your comment is awaiting moderation.")).to_be_visible()
    expect(reader.get_by_text("Read from the cache, sent all the same.")).to_be_visible()
    assert errors == []


def test_without_javascript_a_cached_page_comment_takes_one_more_step(site, browser, settings):
    settings.PAGE_CACHE_SECONDS = 600
    settings.ANTISPAM = {"comment": {"min_seconds": 0}}
    browser.new_page().goto(site.url + SEED_TIP)  # now in the cache
    context = browser.new_context(java_script_enabled=False)
    reader = context.new_page()
    assert reader.goto(site.url + SEED_TIP).headers["x-page-cache"] == "hit"
    post_comment(
        reader,
        name="Noor",
        email="noor@example.com",
        body="No scripts here, and it still got through.",
    )
    expect(reader.get_by_role("heading", name="One more step to send it")).to_be_visible()
    expect(reader.get_by_text("No scripts here, and it still got through.")).to_be_visible()
    reader.get_by_role("button", name="Send it").click()
    expect(reader.get_by_text("Thanks! Your comment is awaiting moderation.")).to_be_visible()
    context.close()
