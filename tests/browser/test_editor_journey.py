"""An editor's way through the admin in a real browser: write, preview, publish."""

from playwright.sync_api import expect

from tests.factories import EDITOR_PASSWORD, image_upload, make_editor


def choose(page, field_label: str, search: str, option: str):
    """Pick a value in one of the admin's autocomplete (select2) boxes, as a person does."""
    row = page.locator("div.form-row", has=page.get_by_text(field_label, exact=True))
    row.get_by_role("combobox").click()
    page.keyboard.type(search)  # select2 focuses its search box when it opens
    page.get_by_role("option", name=option).click()


def test_editor_writes_a_draft_with_an_image_previews_it_publishes_it(page, site, watch, tmp_path):
    editor = make_editor()
    picture = tmp_path / "stones.png"
    picture.write_bytes(image_upload(size=(1600, 900)).read())

    page.goto(site.url + "/admin/")
    page.get_by_label("Username").fill(editor.username)
    page.get_by_label("Password").fill(EDITOR_PASSWORD)
    page.get_by_role("button", name="Log in").click()

    page.get_by_role("link", name="Tips").last.click()
    page.get_by_role("link", name="Add tip").click()
    page.get_by_label("Title:").fill("Hot Stone Massage at Home")
    page.get_by_label("Question:").fill("Can I use hot stones safely at home?")
    page.get_by_label("Body:").fill("Heat the stones in water, **never** in a microwave.")
    choose(page, "Category:", "Techniques", "Massage Therapy › Massage Therapy Techniques")
    choose(page, "Guru:", "Joe", "Joe Wallace")
    page.get_by_label("Image:", exact=True).set_input_files(picture)
    page.get_by_label("Image description:").fill("Smooth basalt stones in a row")
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.get_by_text("was added successfully")).to_be_visible()

    page.get_by_role("link", name="View on site").click()
    expect(page.get_by_text("Preview — not public.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hot Stone Massage at Home")
    expect(page.get_by_role("img", name="Smooth basalt stones in a row")).to_be_visible()
    tip_url = page.url

    page.go_back()
    page.get_by_label("Status:").select_option("Published")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("was changed successfully")).to_be_visible()
    page.get_by_role("button", name="Log out").click()

    response = page.goto(tip_url)
    assert response.status == 200
    expect(page.get_by_text("Preview — not public.")).to_have_count(0)
    expect(page.get_by_text("never", exact=True)).to_be_visible()
    page.get_by_role("link", name="Massage Therapy Techniques").first.click()
    expect(page.get_by_role("link", name="Hot Stone Massage at Home")).to_be_visible()
