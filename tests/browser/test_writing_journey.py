"""An editor writes in a real browser: the preview beside the Markdown box is what readers get,
unsaved edits are not lost by leaving, and an earlier version comes back from History."""

from playwright.sync_api import expect

from tests.browser.test_editor_journey import choose
from tests.factories import EDITOR_PASSWORD, image_upload, make_editor

# Saving re-encodes images and re-renders; the shared test machine can be slow at it.
SAVING = 20_000
BODY = "# Before you start\n\nStones hold heat.\n\n- Heat them in water\n- Never in a microwave"


def preview_html(page) -> str:
    return page.locator(".tip-preview__body").inner_html()


def test_editor_writes_with_a_live_preview_then_restores_an_earlier_version(
    page, site, watch, tmp_path, screenshots
):
    editor = make_editor()
    picture = tmp_path / "stones.png"
    picture.write_bytes(image_upload(size=(1800, 1200)).read())
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(site.url + "/admin/")
    page.get_by_label("Username").fill(editor.username)
    page.get_by_label("Password").fill(EDITOR_PASSWORD)
    page.get_by_role("button", name="Log in").click()

    page.goto(site.url + "/admin/tips/tip/add/")
    page.get_by_label("Title:").fill("Hot Stones at Home")
    page.get_by_label("Question:").fill("Can I use hot stones safely at home?")
    page.get_by_label("Body:").fill(BODY)
    preview = page.locator(".tip-preview__body")
    # The body's "#" heading sits under the page's h1 title and h2 question.
    expect(preview.get_by_role("heading", level=3)).to_have_text("Before you start")
    expect(preview.get_by_role("listitem")).to_have_count(2)

    page.get_by_label("Body:").press("End")
    page.keyboard.type("\n\n<script>alert(1)</script>")
    expect(page.locator(".tip-preview__problems")).to_contain_text(
        "Line 8: <script> is not allowed."
    )
    page.get_by_label("Body:").fill(BODY)
    expect(page.locator(".tip-preview__problems")).to_be_hidden()

    choose(page, "Category:", "Techniques", "Massage Therapy › Massage Therapy Techniques")
    page.locator('input[name="images-0-image"]').set_input_files(picture)
    page.locator('input[name="images-0-alt"]').fill("Three basalt stones warming in a pan")
    page.get_by_label("Status:").select_option("Published")
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.get_by_text("was added successfully")).to_be_visible(timeout=SAVING)

    # Place the uploaded image with its snippet; the preview shows it as readers will.
    snippet = page.locator("input.tip-image-snippet").input_value()
    page.get_by_label("Body:").fill(f"{BODY}\n\n{snippet}")
    expect(preview.get_by_role("img", name="Three basalt stones warming in a pan")).to_be_visible(
        timeout=SAVING
    )
    for width in (1280, 1920):
        page.set_viewport_size({"width": width, "height": 1000})
        page.locator(".field-body").scroll_into_view_if_needed()
        page.screenshot(path=screenshots / f"tip-change-form-preview-{width}.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    shown = preview_html(page)

    # Leaving with unsaved edits asks first; staying keeps them.
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.type), dialog.dismiss()))
    page.get_by_role("link", name="Tips", exact=True).first.click()
    assert asked == ["beforeunload"]
    expect(page.get_by_label("Body:")).to_have_value(f"{BODY}\n\n{snippet}")

    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.get_by_text("was changed successfully")).to_be_visible(timeout=SAVING)
    tip_url = site.url + page.get_by_role("link", name="View on site").get_attribute("href")
    page.goto(tip_url)
    assert page.locator(".tip__body").inner_html() == shown

    # A later edit, then the earlier version restored from History.
    page.go_back()
    page.get_by_label("Body:").fill("# Rewritten\n\nSomething else entirely.")
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.get_by_text("was changed successfully")).to_be_visible(timeout=SAVING)
    page.get_by_role("link", name="History").click()
    page.get_by_role("button", name="compare").click()
    expect(page.locator("del", has_text="Before you start")).to_be_visible(timeout=SAVING)
    page.go_back()
    page.locator("#change-history tbody tr").nth(1).get_by_role("link").click()
    expect(page.get_by_label("Body:")).to_have_value(f"{BODY}\n\n{snippet}")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("was changed successfully")).to_be_visible(timeout=SAVING)

    page.goto(tip_url)
    expect(page.locator(".tip__body").get_by_role("heading", level=3)).to_have_text(
        "Before you start"
    )
    assert page.locator(".tip__body").inner_html() == shown
