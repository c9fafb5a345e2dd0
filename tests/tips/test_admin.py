import datetime
import io
import re

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from tests.factories import (
    EDITOR_PASSWORD,
    EMPTY_TIP_INLINES,
    image_upload,
    make_category,
    make_editor,
    make_guru,
    make_tip,
)
from tips.editors import EDITORS_GROUP
from tips.models import Guru, Tip

pytestmark = pytest.mark.django_db


def tip_form_data(category, **overrides):
    now = timezone.localtime()
    data = {
        "title": "Warm Up Before a Deep Tissue Session",
        "slug": "warm-up-before-deep-tissue",
        "question": "Why warm up the muscles first?",
        "body": "Start with **light strokes** for five minutes.",
        "category": category.pk,
        "guru": "",
        "image_alt": "",
        "status": Tip.Status.DRAFT,
        "publish_at_0": now.strftime("%Y-%m-%d"),
        "publish_at_1": now.strftime("%H:%M:%S"),
        "last_reviewed": "",
        # The read-only inline of helpful votes still sends its (empty) management form.
        **EMPTY_TIP_INLINES,
    }
    data.update(overrides)
    return data


def test_editor_writes_previews_and_publishes_a_tip_that_readers_then_see(client):
    """The editors' flow end to end: the Editors group is all the permission it needs."""
    category = make_category()
    client.login(username=make_editor().username, password=EDITOR_PASSWORD)

    response = client.post(reverse("admin:tips_tip_add"), tip_form_data(category))
    assert response.status_code == 302
    tip = Tip.objects.get(slug="warm-up-before-deep-tissue")
    assert tip.status == Tip.Status.DRAFT

    # Readers cannot see the draft; the editor previews it with a banner.
    preview = client.get(tip.get_absolute_url())
    assert "Preview — not public." in preview.content.decode()
    assert "<strong>light strokes</strong>" in preview.content.decode()
    client.logout()
    assert client.get(tip.get_absolute_url()).status_code == 404

    client.login(username="editor", password=EDITOR_PASSWORD)
    response = client.post(
        reverse("admin:tips_tip_changelist"),
        {"action": "publish_now", "_selected_action": [tip.pk]},
        follow=True,
    )
    assert "1 tip was published." in response.content.decode()
    client.logout()

    page = client.get(tip.get_absolute_url())
    assert page.status_code == 200
    assert "Preview — not public." not in page.content.decode()
    assert tip.title in client.get(category.get_absolute_url()).content.decode()


def test_a_migration_creates_the_editors_group_with_content_permissions_only():
    group = Group.objects.get(name=EDITORS_GROUP)
    codenames = set(group.permissions.values_list("codename", flat=True))
    for model in ("topic", "category", "tip", "guru", "comment", "tiprequest"):
        assert {f"{action}_{model}" for action in ("add", "change", "delete", "view")} <= codenames
    assert not any(name.endswith(("_user", "_group", "_permission")) for name in codenames)


def test_editors_cannot_manage_users_or_groups(client):
    client.login(username=make_editor().username, password=EDITOR_PASSWORD)
    assert client.get(reverse("admin:auth_user_changelist")).status_code == 403
    assert client.get(reverse("admin:auth_group_changelist")).status_code == 403
    assert client.get(reverse("admin:tips_guru_changelist")).status_code == 200


def test_publish_and_unpublish_actions_report_how_many_changed(admin_client):
    drafts = [make_tip(status=Tip.Status.DRAFT) for _ in range(2)]
    live = make_tip()
    url = reverse("admin:tips_tip_changelist")

    response = admin_client.post(
        url,
        {"action": "publish_now", "_selected_action": [t.pk for t in [*drafts, live]]},
        follow=True,
    )
    assert "2 tips were published." in response.content.decode()
    assert Tip.objects.published().count() == 3

    response = admin_client.post(
        url, {"action": "unpublish", "_selected_action": [drafts[0].pk, live.pk]}, follow=True
    )
    assert "2 tips were unpublished." in response.content.decode()
    assert list(Tip.objects.published()) == [drafts[1]]


def test_tip_list_shows_what_editors_need(admin_client):
    """Status and publish time share one column, so the list fits a 1280 px screen."""
    make_tip(title="Live one")
    make_tip(title="Later one", publish_at=timezone.now() + datetime.timedelta(days=1))
    make_tip(title="Draft one", status=Tip.Status.DRAFT)
    html = admin_client.get(reverse("admin:tips_tip_changelist")).content.decode()
    for text in ("Live one", "Later one", "Draft one", "Live <small>since", "Scheduled <small>for"):
        assert text in html
    table = html.split('id="result_list"')[1].split("</thead>")[0]
    headers = re.findall(r'<th scope="col"[^>]*>.*?<a [^>]*>([^<]+)</a>', table, re.S)
    assert headers == ["Title", "Category", "Guru", "Status", "Comments", "Helpful"]


def test_scheduling_in_the_admin_keeps_the_tip_hidden_until_its_time(admin_client, client):
    category = make_category()
    later = timezone.localtime() + datetime.timedelta(days=3)
    admin_client.post(
        reverse("admin:tips_tip_add"),
        tip_form_data(
            category,
            status=Tip.Status.PUBLISHED,
            publish_at_0=later.strftime("%Y-%m-%d"),
            publish_at_1=later.strftime("%H:%M:%S"),
        ),
    )
    tip = Tip.objects.get()
    assert tip.is_scheduled
    assert client.get(tip.get_absolute_url()).status_code == 404


def guru_form_data(**overrides):
    data = {"name": "Ana Ruiz", "slug": "ana-ruiz", "bio": "Gardener.", "website": ""}
    data.update(overrides)
    return data


def test_a_guru_photo_upload_is_resized_to_the_sizes_pages_use(admin_client):
    response = admin_client.post(
        reverse("admin:tips_guru_add"),
        {**guru_form_data(), "photo": image_upload(size=(1200, 800))},
    )
    assert response.status_code == 302
    guru = Guru.objects.get(slug="ana-ruiz")
    with guru.photo.open() as f:
        assert Image.open(f).size == (320, 320)
    with guru.thumbnail.open() as f:
        assert Image.open(f).size == (96, 96)


def truncated_png() -> SimpleUploadedFile:
    data = image_upload().read()
    return SimpleUploadedFile("cut.png", data[: len(data) // 2], content_type="image/png")


def bomb_png() -> SimpleUploadedFile:
    # A tiny file that claims 30,000 × 30,000 pixels: decoding it would need gigabytes.
    buffer = io.BytesIO()
    Image.new("1", (30_000, 30_000)).save(buffer, format="PNG")
    return SimpleUploadedFile("bomb.png", buffer.getvalue(), content_type="image/png")


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("notes.png", b"just some text", "image/png"), "not a valid image"),
        (truncated_png(), "not a valid image"),
        (bomb_png(), "too many pixels"),
    ],
    ids=["not-an-image", "truncated", "decompression-bomb"],
)
def test_bad_guru_photos_get_a_clear_error_and_keep_the_typed_fields(admin_client, upload, message):
    response = admin_client.post(
        reverse("admin:tips_guru_add"), {**guru_form_data(), "photo": upload}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert 'value="Ana Ruiz"' in html
    assert not Guru.objects.exists()


def test_oversized_uploads_are_refused_before_decoding(admin_client, settings):
    settings.MAX_IMAGE_UPLOAD_BYTES = 1000
    response = admin_client.post(
        reverse("admin:tips_guru_add"), {**guru_form_data(), "photo": image_upload(size=(900, 900))}
    )
    assert "images can be at most 1000" in response.content.decode()


def test_a_tip_image_needs_a_description_and_is_scaled_down(admin_client):
    category = make_category()
    url = reverse("admin:tips_tip_add")
    response = admin_client.post(
        url, {**tip_form_data(category), "image": image_upload(size=(2400, 1200))}
    )
    assert "Describe the image" in response.content.decode()
    assert not Tip.objects.exists()

    admin_client.post(
        url,
        {
            **tip_form_data(category, image_alt="Hands on a shoulder"),
            "image": image_upload(size=(2400, 1200)),
        },
    )
    tip = Tip.objects.get()
    with tip.image.open() as f:
        assert Image.open(f).size == (1200, 600)


def test_bad_tip_images_are_refused_by_the_field(admin_client):
    response = admin_client.post(
        reverse("admin:tips_tip_add"),
        {**tip_form_data(make_category(), image_alt="x"), "image": truncated_png()},
    )
    assert "not a valid image" in response.content.decode()
    assert not Tip.objects.exists()


def test_guru_and_category_autocomplete_serve_the_tip_form(admin_client):
    make_guru(name="Joe Wallace")
    response = admin_client.get(
        reverse("admin:autocomplete"),
        {"term": "Joe", "app_label": "tips", "model_name": "tip", "field_name": "guru"},
    )
    assert response.json()["results"][0]["text"] == "Joe Wallace"
