"""The editors' desk: versions kept and restored, edits never silently lost, images in the body,
and a preview that shows exactly what the public page will."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone
from reversion.models import Version

from tests.factories import (
    EDITOR_PASSWORD,
    image_upload,
    make_category,
    make_editor,
    make_tip,
)
from tests.tips.test_admin import tip_form_data
from tips import services
from tips.models import Tip, TipImage

pytestmark = pytest.mark.django_db


def change_data(tip, **overrides):
    """What the change form sends for ``tip`` as it is, with ``overrides``."""
    local = timezone.localtime(tip.publish_at)
    data = tip_form_data(
        tip.category,
        title=tip.title,
        slug=tip.slug,
        question=tip.question,
        body=tip.body,
        status=tip.status,
        publish_at_0=local.strftime("%Y-%m-%d"),
        publish_at_1=local.strftime("%H:%M:%S"),
    )
    if "opened_at" not in overrides:
        data["opened_at"] = Tip.objects.get(pk=tip.pk).updated_at.isoformat()
    images = list(tip.images.all())
    data.update({"images-TOTAL_FORMS": str(len(images)), "images-INITIAL_FORMS": str(len(images))})
    for n, image in enumerate(images):
        prefix = f"images-{n}-"
        data.update({prefix + "id": image.pk, prefix + "tip": tip.pk,
                     prefix + "alt": image.alt, prefix + "caption": image.caption})  # fmt: skip
    data.update(overrides)
    return data


def editor_client(client, username="editor", **names):
    user = make_editor(username)
    get_user_model().objects.filter(pk=user.pk).update(**names)
    client.login(username=username, password=EDITOR_PASSWORD)
    return client


def tip_with_image(client, **fields) -> tuple[Tip, TipImage]:
    """A tip saved through the admin with one uploaded body image."""
    category = make_category()
    data = tip_form_data(category, **fields)
    data.update({
        "images-TOTAL_FORMS": "1", "images-INITIAL_FORMS": "0",
        "images-0-image": image_upload("stones.png", size=(2000, 1000)),
        "images-0-alt": "Basalt stones in a row", "images-0-caption": "Warm, never hot",
    })  # fmt: skip
    response = client.post(reverse("admin:tips_tip_add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    tip = Tip.objects.get()
    return tip, tip.images.get()


def body_section(html: str) -> str:
    return re.search(r'<div class="tip__body">(.*?)</div>\s*<p class="tip__meta">', html, re.S)[1]


# Versions


def test_every_admin_save_keeps_a_version_with_its_author_and_what_changed(client):
    editor_client(client, first_name="Ann", last_name="Editor")
    client.post(reverse("admin:tips_tip_add"), tip_form_data(make_category()))
    tip = Tip.objects.get()
    client.post(reverse("admin:tips_tip_change", args=[tip.pk]), change_data(tip, body="New"))

    versions = Version.objects.get_for_object(tip).select_related("revision__user")
    assert [v.field_dict["body"] for v in versions] == [
        "New", "Start with **light strokes** for five minutes."
    ]  # fmt: skip
    assert {v.revision.user.get_full_name() for v in versions} == {"Ann Editor"}
    assert versions[0].revision.comment.startswith("Changed Body")


def test_services_that_change_tips_keep_versions_too():
    """Publishing from the list and marking reviewed are saves like any other."""
    tip = make_tip(status=Tip.Status.DRAFT)
    editor = make_editor()
    services.tips_publish_now(tips=Tip.objects.all(), user=editor)
    services.tip_mark_reviewed(tip=Tip.objects.get(), user=editor)

    versions = Version.objects.get_for_object(tip)
    assert [v.revision.comment for v in versions] == ["Marked as reviewed.", "Published now."]
    assert versions[1].field_dict["status"] == Tip.Status.PUBLISHED
    assert versions[0].revision.user == editor


def test_history_compares_two_versions_field_by_field_with_a_text_diff_of_the_body(client):
    editor_client(client)
    client.post(reverse("admin:tips_tip_add"), tip_form_data(make_category()))
    tip = Tip.objects.get()
    client.post(
        reverse("admin:tips_tip_change", args=[tip.pk]),
        change_data(tip, body="Start with **firm strokes** for five minutes.", title="Warm Up"),
    )
    history = client.get(reverse("admin:tips_tip_history", args=[tip.pk]))
    assert history.status_code == 200
    assert 'name="version_id1"' in history.content.decode()
    assert 'style="' not in history.content.decode()  # the admin runs under the CSP too

    older, newer = sorted(Version.objects.get_for_object(tip).values_list("pk", flat=True))
    compare = client.get(
        reverse("admin:tips_tip_compare", args=[tip.pk]),
        {"version_id1": older, "version_id2": newer},
    )
    page = compare.content.decode()
    assert compare.status_code == 200
    assert "<h3>title</h3>" in page
    assert "<del>light</del>" in page
    assert "<ins>firm</ins>" in page
    assert "<h3>question</h3>" not in page  # unchanged fields are left out


def test_restoring_an_earlier_version_saves_it_as_a_new_one_and_the_page_shows_it(client):
    editor_client(client)
    client.post(
        reverse("admin:tips_tip_add"), tip_form_data(make_category(), status=Tip.Status.PUBLISHED)
    )
    tip = Tip.objects.get()
    client.post(reverse("admin:tips_tip_change", args=[tip.pk]), change_data(tip, body="Later"))
    Tip.objects.filter(pk=tip.pk).update(comment_count=4, helpful_yes=2)
    first = Version.objects.get_for_object(tip).last()

    url = reverse("admin:tips_tip_revision", args=[tip.pk, first.pk])
    shown = client.get(url)
    assert "light strokes" in shown.content.decode()
    assert Tip.objects.get().body == "Later"  # showing it changes nothing
    form = shown.context["adminform"].form
    response = client.post(url, change_data(tip, body=form.initial["body"],
                                            opened_at=form["opened_at"].value()))  # fmt: skip
    assert response.status_code == 302

    restored = Tip.objects.get()
    assert restored.body == "Start with **light strokes** for five minutes."
    assert (restored.comment_count, restored.helpful_yes) == (4, 2)  # readers' counts stay
    assert Version.objects.get_for_object(tip).count() == 3
    assert "light strokes" in client.get(restored.get_absolute_url()).content.decode()


def test_a_deleted_tip_can_be_recovered(client):
    editor_client(client)
    client.post(reverse("admin:tips_tip_add"), tip_form_data(make_category()))
    tip = Tip.objects.get()
    client.post(reverse("admin:tips_tip_delete", args=[tip.pk]), {"post": "yes"})
    assert not Tip.objects.exists()

    listing = client.get(reverse("admin:tips_tip_recoverlist"))
    assert "Warm Up Before a Deep Tissue Session" in listing.content.decode()
    version = Version.objects.get_deleted(Tip).get()
    url = reverse("admin:tips_tip_recover", args=[version.pk])
    form = client.get(url).context["adminform"].form
    response = client.post(url, change_data(tip, opened_at=form["opened_at"].value()))
    assert response.status_code == 302
    assert Tip.objects.get().title == "Warm Up Before a Deep Tissue Session"


# Lost work never happens


def test_saving_over_a_save_made_since_opening_is_refused_naming_who_and_keeping_the_text(client):
    tip = make_tip(body="Original")
    opened = change_data(tip)
    other = editor_client(client.__class__(), "other", first_name="Bo", last_name="Writer")
    other.post(reverse("admin:tips_tip_change", args=[tip.pk]), change_data(tip, body="Theirs"))

    editor_client(client)
    url = reverse("admin:tips_tip_change", args=[tip.pk])
    response = client.post(url, {**opened, "body": "Mine, typed for an hour"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Bo Writer saved this tip on" in page
    assert "Mine, typed for an hour" in page
    assert Tip.objects.get().body == "Theirs"

    # Warned, the editor may save again: theirs is kept as a version to compare and restore.
    again = response.context["adminform"].form.data
    assert client.post(url, again).status_code == 302
    assert Tip.objects.get().body == "Mine, typed for an hour"
    assert Version.objects.get_for_object(tip).first().field_dict["body"] == (
        "Mine, typed for an hour"
    )


def test_a_body_with_something_the_page_cannot_show_is_refused_by_line_and_kept(client):
    editor_client(client)
    body = "Intro\n\n## Steps\n\n<script>alert(1)</script>\n\n![x](https://elsewhere.example/x.jpg)"
    response = client.post(reverse("admin:tips_tip_add"), tip_form_data(make_category(), body=body))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Line 5: &lt;script&gt; is not allowed." in page
    assert "Line 7: https://elsewhere.example/x.jpg is not an image of this tip." in page
    assert response.context["adminform"].form["body"].value() == body
    assert not Tip.objects.exists()


def test_a_refused_draft_keeps_the_body_and_the_images_description_and_caption(client):
    editor_client(client)
    data = tip_form_data(make_category(), body="# Steps\n\n<iframe src=x></iframe>")
    data.update({
        "images-TOTAL_FORMS": "1", "images-INITIAL_FORMS": "0", "images-0-image": image_upload(),
        "images-0-alt": "Hands on a shoulder", "images-0-caption": "Gently",
    })  # fmt: skip
    response = client.post(reverse("admin:tips_tip_add"), data)
    page = response.content.decode()
    assert "Line 3: &lt;iframe&gt; is not allowed." in page
    assert "# Steps\n\n&lt;iframe src=x&gt;&lt;/iframe&gt;</textarea>" in page
    assert 'value="Hands on a shoulder"' in page
    assert 'value="Gently"' in page
    assert not TipImage.objects.exists()


def test_the_change_form_carries_the_preview_and_unsaved_edits_guard(client):
    editor_client(client)
    page = client.get(reverse("admin:tips_tip_add")).content.decode()
    assert "js/tip-editor.js" in page
    assert "css/tip-editor.css" in page
    assert f'data-preview-url="{reverse("admin:tips_tip_preview")}"' in page
    assert "<script>" not in page.replace('<script src="', "")  # no inline script under the CSP


# Images in the body


def test_an_uploaded_image_is_resized_and_shown_responsively_where_the_body_places_it(client):
    editor_client(client)
    tip, image = tip_with_image(client, status=Tip.Status.PUBLISHED)
    assert (image.width, image.height) == (1600, 800)
    assert image.medium
    assert image.small

    client.post(
        reverse("admin:tips_tip_change", args=[tip.pk]),
        change_data(tip, body=f"# How\n\n{image.snippet}\n\n- one\n- two"),
    )
    body = body_section(client.get(tip.get_absolute_url()).content.decode())
    assert "<h3>How</h3>" in body
    assert (
        f'srcset="{image.small.url} 480w, {image.medium.url} 960w, {image.image.url} 1600w"' in body
    )
    assert 'width="1600" height="800" alt="Basalt stones in a row"' in body
    assert "<figcaption>Warm, never hot</figcaption>" in body


def test_an_image_without_a_description_is_refused(client):
    editor_client(client)
    data = tip_form_data(make_category())
    data.update({"images-TOTAL_FORMS": "1", "images-0-image": image_upload(), "images-0-alt": ""})
    response = client.post(reverse("admin:tips_tip_add"), data)
    assert response.status_code == 200
    assert not Tip.objects.exists()
    assert response.context["inline_admin_formsets"][0].formset.errors[0]["alt"]


def test_an_image_the_body_still_shows_cannot_be_deleted(client):
    editor_client(client)
    tip, image = tip_with_image(client)
    client.post(
        reverse("admin:tips_tip_change", args=[tip.pk]), change_data(tip, body=image.snippet)
    )
    tip.refresh_from_db()
    response = client.post(
        reverse("admin:tips_tip_change", args=[tip.pk]),
        change_data(tip, **{"images-0-DELETE": "on"}),
    )
    assert response.status_code == 200
    assert "which you are deleting" in response.content.decode()
    assert TipImage.objects.exists()


def test_a_changed_image_caption_reaches_the_page_in_the_same_save(client):
    editor_client(client)
    tip, image = tip_with_image(client)
    client.post(
        reverse("admin:tips_tip_change", args=[tip.pk]), change_data(tip, body=image.snippet)
    )
    tip.refresh_from_db()
    client.post(
        reverse("admin:tips_tip_change", args=[tip.pk]),
        change_data(tip, **{"images-0-caption": "Warm only"}),
    )
    assert "<figcaption>Warm only</figcaption>" in Tip.objects.get().body_html


# The preview


def test_the_public_page_shows_exactly_what_the_preview_showed(client):
    editor_client(client)
    tip, image = tip_with_image(client, status=Tip.Status.PUBLISHED)
    body = (
        "# Steps to take\n\nSee [our guide](/massage-therapy/) or [theirs](https://example.org/)."
        f"\n\n{image.snippet}\n\n1. Warm\n2. Press\n\n"
        "| Stone | Minutes |\n|:--|--:|\n| basalt | 5 |\n\n> Never use a microwave."
    )
    preview = client.post(reverse("admin:tips_tip_preview"), {"body": body, "tip": tip.pk}).json()
    assert preview["problems"] == []
    client.post(reverse("admin:tips_tip_change", args=[tip.pk]), change_data(tip, body=body))

    client.logout()
    assert body_section(client.get(tip.get_absolute_url()).content.decode()) == preview["html"]
    assert '<a href="/massage-therapy/">our guide</a>' in preview["html"]
    assert '<a href="https://example.org/" rel="nofollow noopener">' in preview["html"]


def test_the_preview_names_problems_and_is_for_editors_only(client):
    url = reverse("admin:tips_tip_preview")
    assert client.post(url, {"body": "x"}).status_code == 302  # to the login page
    editor_client(client)
    assert client.get(url).status_code == 405
    answer = client.post(url, {"body": "ok\n\n<iframe src=x></iframe>"}).json()
    assert answer["problems"] == [
        "Line 3: <iframe> is not allowed. To show the characters themselves, put them in "
        "`backticks`."
    ]
    assert client.post(url, {"body": "x", "tip": "999"}).status_code == 404
