"""Gurus write their own tips and submit them; editors request changes or approve and publish.

Every limit is checked with the request a guru could craft by hand, not only with what the
screens offer.
"""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from tests.factories import (
    EDITOR_PASSWORD,
    EMPTY_TIP_INLINES,
    GURU_PASSWORD,
    make_category,
    make_editor,
    make_guru,
    make_guru_user,
    make_tip,
)
from tips.models import Tip

pytestmark = pytest.mark.django_db
LIST = reverse("admin:tips_tip_changelist")
ADD = reverse("admin:tips_tip_add")
QUEUE = f"{LIST}?status=in_review"


def change_url(tip) -> str:
    return reverse("admin:tips_tip_change", args=[tip.pk])


def writer_data(category, **overrides) -> dict:
    data = {
        "title": "Stretch Before You Sit",
        "slug": "stretch-before-you-sit",
        "question": "Which stretches help after a long day at a desk?",
        "body": "Roll your shoulders back ten times.",
        "category": category.pk,
        "image_alt": "",
        **EMPTY_TIP_INLINES,
    }
    data.update(overrides)
    return data


def editor_data(tip, **overrides) -> dict:
    """What the editor's change form sends back for ``tip`` unchanged."""
    when = timezone.localtime(tip.publish_at)
    data = {
        "title": tip.title,
        "slug": tip.slug,
        "question": tip.question,
        "body": tip.body,
        "category": tip.category_id,
        "guru": tip.guru_id or "",
        "image_alt": "",
        "status": tip.status,
        "publish_at_0": when.strftime("%Y-%m-%d"),
        "publish_at_1": when.strftime("%H:%M:%S"),
        "last_reviewed": "",
        "reply": "",
        **EMPTY_TIP_INLINES,
    }
    data.update(overrides)
    return data


@pytest.fixture
def writer():
    return make_guru_user("writer")


@pytest.fixture
def guru_client(client, writer):
    client.login(username="writer", password=GURU_PASSWORD)
    return client


@pytest.fixture
def editors():
    """Two editors with an address and one without: mail goes to the two."""
    first = make_editor("ed1")
    first.email = "ed1@example.com"
    first.save()
    second = make_editor("ed2")
    second.email = "ed2@example.com"
    second.save()
    make_editor("ed3")
    return [first, second]


def in_review(guru, **fields) -> Tip:
    fields.setdefault("submitted_at", timezone.now())
    return make_tip(guru=guru, status=Tip.Status.IN_REVIEW, **fields)


# What a guru may do.


def test_a_guru_writes_a_draft_of_their_own_whatever_the_post_says(guru_client, writer):
    """Status, guru and publish time never come from a guru's form: crafted, they are ignored."""
    category = make_category()
    other = make_guru()
    later = timezone.localtime() + datetime.timedelta(days=3)
    form = guru_client.get(ADD).content.decode()
    for field in ('name="status"', 'name="guru"', 'name="publish_at_0"', 'name="last_reviewed"'):
        assert field not in form

    response = guru_client.post(
        ADD,
        writer_data(
            category, status=Tip.Status.PUBLISHED, guru=other.pk,
            publish_at_0=later.strftime("%Y-%m-%d"), publish_at_1="10:00:00",
            last_reviewed="2020-01-01",
        ),
    )  # fmt: skip
    assert response.status_code == 302
    tip = Tip.objects.get()
    assert tip.status == Tip.Status.DRAFT
    assert tip.guru == writer.guru
    assert tip.last_reviewed is None
    assert tip.publish_at < later
    assert not Tip.objects.published().exists()


def test_a_guru_without_a_guru_profile_cannot_add_tips(client):
    guru = make_guru_user("lonely").guru
    guru.user = None
    guru.save()
    client.login(username="lonely", password=GURU_PASSWORD)
    assert client.get(ADD).status_code == 403
    assert client.post(ADD, writer_data(make_category())).status_code == 403
    assert not Tip.objects.exists()


def test_a_guru_lists_only_their_own_tips_without_editors_columns(guru_client, writer):
    make_tip(title="Mine", guru=writer.guru, status=Tip.Status.DRAFT)
    make_tip(title="Someone else's", guru=make_guru(), status=Tip.Status.DRAFT)
    html = guru_client.get(LIST).content.decode()
    assert "Mine" in html
    assert "Someone else" not in html
    assert "publish_now" not in html
    assert "move_to_category" not in html
    assert "delete_selected" not in html
    assert "submit_for_review" in html


def test_a_guru_gets_nothing_of_another_gurus_tip(guru_client):
    """Change, history and delete, read or posted: as if the tip did not exist, or 403."""
    theirs = make_tip(title="Their Draft", guru=make_guru(), status=Tip.Status.DRAFT)
    before = Tip.objects.values().get(pk=theirs.pk)
    urls = [
        change_url(theirs),
        reverse("admin:tips_tip_history", args=[theirs.pk]),
        reverse("admin:tips_tip_delete", args=[theirs.pk]),
    ]
    for url in urls:
        for response in (guru_client.get(url), guru_client.post(url, {"post": "yes"})):
            assert response.status_code in (302, 403, 404)
            assert "Their Draft" not in response.content.decode()
    response = guru_client.post(
        change_url(theirs), writer_data(theirs.category, title="Hijacked", slug=theirs.slug)
    )
    assert response.status_code in (302, 403, 404)
    assert Tip.objects.values().get(pk=theirs.pk) == before
    # "View on site" of someone else's draft is a 404, as for any reader.
    assert guru_client.get(theirs.get_absolute_url()).status_code == 404


def test_actions_posted_with_another_gurus_ids_change_nothing(guru_client, editors):
    theirs = make_tip(guru=make_guru(), status=Tip.Status.DRAFT)
    for action in ("submit_for_review", "publish_now", "move_to_category", "assign_guru"):
        guru_client.post(
            LIST, {"action": action, "_selected_action": [theirs.pk], "post": "yes"}, follow=True
        )
    theirs.refresh_from_db()
    assert theirs.status == Tip.Status.DRAFT
    assert mail.outbox == []


def test_a_guru_can_neither_publish_nor_move_their_own_tips(guru_client, writer):
    mine = make_tip(guru=writer.guru, status=Tip.Status.DRAFT)
    other_category = make_category()
    for data in (
        {"action": "publish_now"},
        {"action": "move_to_category", "post": "yes", "category": other_category.pk},
        {"action": "assign_guru", "post": "yes", "guru": make_guru().pk},
        {"action": "delete_selected", "post": "yes"},
    ):
        response = guru_client.post(LIST, {**data, "_selected_action": [mine.pk]}, follow=True)
        assert response.status_code == 200
    mine.refresh_from_db()
    assert mine.status == Tip.Status.DRAFT
    assert mine.category != other_category
    assert mine.guru == writer.guru


def test_a_guru_cannot_change_their_tip_once_in_review_or_published(guru_client, writer):
    """Published text changes only through review: the tip is read-only to its guru."""
    for status in (Tip.Status.IN_REVIEW, Tip.Status.PUBLISHED):
        tip = make_tip(guru=writer.guru, status=status, title="Original")
        page = guru_client.get(change_url(tip))
        assert page.status_code == 200
        assert 'name="title"' not in page.content.decode()
        response = guru_client.post(change_url(tip), writer_data(tip.category, title="Changed"))
        assert response.status_code == 403
        tip.refresh_from_db()
        assert tip.title == "Original"
        assert tip.status == status


def test_gurus_reach_no_editorial_pages(guru_client):
    assert guru_client.get("/admin/content-gaps/").status_code == 403
    assert guru_client.get(reverse("admin:tips_guru_changelist")).status_code == 403
    assert guru_client.get(reverse("admin:requests_app_tiprequest_changelist")).status_code == 403
    autocomplete = "/admin/autocomplete/?app_label=tips&model_name=tip&field_name=guru"
    assert guru_client.get(autocomplete).status_code == 403


def test_a_guru_previews_their_own_draft_on_the_site(guru_client, writer):
    mine = make_tip(guru=writer.guru, status=Tip.Status.DRAFT)
    assert "Preview — not public." in guru_client.get(mine.get_absolute_url()).content.decode()


# Submitting, and what editors then do.


def test_submit_for_review_sends_one_mail_to_the_editors(
    guru_client, writer, editors, django_capture_on_commit_callbacks
):
    category = make_category()
    with django_capture_on_commit_callbacks(execute=True):
        response = guru_client.post(
            ADD, writer_data(category, _submit_for_review="Save and submit for review"), follow=True
        )
    assert "is submitted for review" in response.content.decode()
    tip = Tip.objects.get()
    assert tip.status == Tip.Status.IN_REVIEW
    assert tip.submitted_at is not None
    assert len(mail.outbox) == 1
    assert sorted(mail.outbox[0].to) == ["ed1@example.com", "ed2@example.com"]
    assert "Stretch Before You Sit" in mail.outbox[0].subject
    assert change_url(tip) in mail.outbox[0].body

    # Sent again (a double click, a crafted action): no second mail.
    with django_capture_on_commit_callbacks(execute=True):
        guru_client.post(LIST, {"action": "submit_for_review", "_selected_action": [tip.pk]})
    assert len(mail.outbox) == 1


def test_the_submit_action_sends_each_draft_with_its_own_mail(
    guru_client, writer, editors, django_capture_on_commit_callbacks
):
    drafts = [make_tip(guru=writer.guru, status=Tip.Status.DRAFT) for _ in range(2)]
    with django_capture_on_commit_callbacks(execute=True):
        response = guru_client.post(
            LIST,
            {"action": "submit_for_review", "_selected_action": [t.pk for t in drafts]},
            follow=True,
        )
    assert "2 tips were submitted for review." in response.content.decode()
    assert len(mail.outbox) == 2


def test_editors_are_not_offered_submit_and_gurus_not_the_review_buttons(
    guru_client, writer, client
):
    draft = make_tip(guru=writer.guru, status=Tip.Status.DRAFT)
    form = guru_client.get(change_url(draft)).content.decode()
    assert 'name="_submit_for_review"' in form
    assert 'name="_approve_publish"' not in form

    client.logout()
    client.login(username=make_editor().username, password=EDITOR_PASSWORD)
    assert 'name="_submit_for_review"' not in client.get(change_url(draft)).content.decode()
    tip = in_review(writer.guru)
    form = client.get(change_url(tip)).content.decode()
    for button in ("_request_changes", "_approve_publish", "_approve_schedule"):
        assert f'name="{button}"' in form


def test_the_review_queue_is_oldest_first_and_counted_on_the_admin_home(editor_client):
    guru = make_guru()
    now = timezone.now()
    in_review(guru, title="Newer submission", submitted_at=now - datetime.timedelta(hours=1))
    in_review(guru, title="Older submission", submitted_at=now - datetime.timedelta(days=2))
    make_tip(title="A draft", status=Tip.Status.DRAFT)
    html = editor_client.get(QUEUE).content.decode()
    assert html.index("Older submission") < html.index("Newer submission")
    assert "A draft" not in html
    home = editor_client.get(reverse("admin:index")).content.decode()
    assert f'href="{QUEUE}">2 tips await review</a>' in home


def test_request_changes_needs_a_note_and_sends_it_to_the_guru(
    editor_client, writer, django_capture_on_commit_callbacks, client
):
    tip = in_review(writer.guru, title="Desk Stretches")
    response = editor_client.post(change_url(tip), editor_data(tip, _request_changes="1"))
    assert response.status_code == 200
    assert "Say what the guru should change." in response.content.decode()
    tip.refresh_from_db()
    assert tip.status == Tip.Status.IN_REVIEW

    note = "Please name the muscles each stretch works."
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(
            change_url(tip), editor_data(tip, _request_changes="1", reply=note), follow=True
        )
    assert "is sent back to its guru" in response.content.decode()
    tip.refresh_from_db()
    assert tip.status == Tip.Status.DRAFT
    assert tip.review_note == note
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["writer@example.com"]
    assert note in mail.outbox[0].body

    client.logout()
    client.login(username="writer", password=GURU_PASSWORD)
    page = client.get(change_url(tip)).content.decode()
    assert note in page
    assert "came back with an editor’s note" in client.get(reverse("admin:index")).content.decode()


def test_approve_and_publish_makes_the_tip_live_and_tells_the_guru(
    editor_client, writer, django_capture_on_commit_callbacks
):
    tip = in_review(writer.guru, review_note="Earlier note.")
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(
            change_url(tip), editor_data(tip, _approve_publish="1"), follow=True
        )
    assert "is approved and published" in response.content.decode()
    assert Tip.objects.published().filter(pk=tip.pk).exists()
    tip.refresh_from_db()
    assert tip.review_note == ""
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["writer@example.com"]
    assert "Published" in mail.outbox[0].subject
    assert tip.get_absolute_url() in mail.outbox[0].body


def test_approve_and_schedule_needs_a_future_time_then_goes_live_by_itself(
    editor_client, writer, django_capture_on_commit_callbacks
):
    tip = in_review(writer.guru, publish_at=timezone.now() - datetime.timedelta(hours=1))
    response = editor_client.post(change_url(tip), editor_data(tip, _approve_schedule="1"))
    assert "choose a time in the future" in response.content.decode()
    assert mail.outbox == []

    later = timezone.localtime() + datetime.timedelta(days=2)
    data = editor_data(
        tip,
        _approve_schedule="1",
        publish_at_0=later.strftime("%Y-%m-%d"),
        publish_at_1=later.strftime("%H:%M:%S"),
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(change_url(tip), data, follow=True)
    assert "is approved and scheduled for" in response.content.decode()
    tip.refresh_from_db()
    assert tip.is_scheduled
    assert not Tip.objects.published().filter(pk=tip.pk).exists()
    assert len(mail.outbox) == 1
    assert "scheduled" in mail.outbox[0].subject
    # No job runs: once the time has come, the tip is public.
    Tip.objects.filter(pk=tip.pk).update(publish_at=timezone.now())
    assert Tip.objects.published().filter(pk=tip.pk).exists()


def test_a_guru_cannot_press_the_editors_buttons(guru_client, writer, editors):
    """On their own draft, a crafted "Approve and publish" saves the draft and nothing more."""
    tip = make_tip(guru=writer.guru, status=Tip.Status.DRAFT)
    guru_client.post(
        change_url(tip), writer_data(tip.category, slug=tip.slug, _approve_publish="1")
    )
    tip.refresh_from_db()
    assert tip.status == Tip.Status.DRAFT
    assert not Tip.objects.published().exists()


def test_a_tip_in_review_is_not_public(client):
    tip = in_review(make_guru())
    assert not Tip.objects.published().filter(pk=tip.pk).exists()
    assert client.get(tip.get_absolute_url()).status_code == 404
    assert tip.title not in client.get("/feeds/latest/").content.decode()


# The editors' lists.


def test_status_filter_splits_scheduled_from_live(editor_client):
    make_tip(title="Live tip")
    make_tip(title="Later tip", publish_at=timezone.now() + datetime.timedelta(days=1))
    in_review(make_guru(), title="Reviewed tip")
    for status, shown, hidden in [
        ("live", "Live tip", "Later tip"),
        ("scheduled", "Later tip", "Live tip"),
        ("in_review", "Reviewed tip", "Live tip"),
    ]:
        html = editor_client.get(f"{LIST}?status={status}").content.decode()
        assert shown in html
        assert hidden not in html


def test_editors_see_votes_and_their_reasons_on_the_tips_page(editor_client):
    tip = make_tip()
    tip.votes.create(visitor="a", helpful=False, reason="No pictures of the stretches")
    html = editor_client.get(change_url(tip)).content.decode()
    assert "helpful votes" in html.lower()
    assert "No pictures of the stretches" in html


def test_moving_tips_to_another_category_asks_for_it_first(editor_client):
    tips = [make_tip(title=f"Movable {n}") for n in range(2)]
    target = make_category(name="Better Home")
    selected = {"action": "move_to_category", "_selected_action": [t.pk for t in tips]}
    page = editor_client.post(LIST, selected)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Movable 0" in html
    assert "Movable 1" in html
    assert 'name="category"' in html

    response = editor_client.post(LIST, {**selected, "post": "yes"})  # no category chosen
    assert "This field is required." in response.content.decode()

    response = editor_client.post(
        LIST, {**selected, "post": "yes", "category": target.pk}, follow=True
    )
    assert "2 tips were moved to" in response.content.decode()
    assert set(Tip.objects.values_list("category", flat=True)) == {target.pk}


def test_a_tip_whose_address_is_taken_in_the_target_category_stays(editor_client):
    target = make_category()
    make_tip(category=target, slug="same-slug")
    clash = make_tip(title="Clashing Tip", slug="same-slug")
    free = make_tip()
    response = editor_client.post(
        LIST,
        {"action": "move_to_category", "_selected_action": [clash.pk, free.pk], "post": "yes",
         "category": target.pk},
        follow=True,
    )  # fmt: skip
    html = response.content.decode()
    assert "1 tip was moved to" in html
    assert "already has a tip at the same address: “Clashing Tip”" in html
    clash.refresh_from_db()
    assert clash.category != target


def test_giving_tips_to_another_guru(editor_client):
    tips = [make_tip() for _ in range(3)]
    guru = make_guru(name="Ana Ruiz")
    response = editor_client.post(
        LIST,
        {"action": "assign_guru", "_selected_action": [t.pk for t in tips], "post": "yes",
         "guru": guru.pk},
        follow=True,
    )  # fmt: skip
    assert "3 tips now have Ana Ruiz as their guru." in response.content.decode()
    assert set(Tip.objects.values_list("guru", flat=True)) == {guru.pk}


def test_review_due_counts_from_publishing_when_never_reviewed(editor_client):
    today = timezone.localdate()
    long_ago = timezone.now() - datetime.timedelta(days=400)
    make_tip(title="Written this week", publish_at=timezone.now() - datetime.timedelta(days=2))
    make_tip(title="Old and never reviewed", publish_at=long_ago)
    make_tip(title="Reviewed long ago", publish_at=long_ago,
             last_reviewed=today - datetime.timedelta(days=380))  # fmt: skip
    make_tip(title="Reviewed lately", publish_at=long_ago,
             last_reviewed=today - datetime.timedelta(days=20))  # fmt: skip
    make_tip(title="Old draft", publish_at=long_ago, status=Tip.Status.DRAFT)
    due = {"Old and never reviewed", "Reviewed long ago"}
    assert set(Tip.objects.due_review().values_list("title", flat=True)) == due

    gaps = editor_client.get("/admin/content-gaps/").content.decode().split("Tips due a review")[1]
    listed = editor_client.get(f"{LIST}?review=due").content.decode()
    for html in (gaps, listed):
        for title in due:
            assert title in html
        for title in ("Written this week", "Reviewed lately", "Old draft"):
            assert title not in html


def test_publishing_a_tip_in_review_by_other_means_still_tells_its_guru(
    editor_client, writer, django_capture_on_commit_callbacks
):
    """The status box or the "Publish now" action approve a tip in review as the button does."""
    by_box = in_review(writer.guru, title="By the box")
    by_action = in_review(writer.guru, title="By the action")
    with django_capture_on_commit_callbacks(execute=True):
        editor_client.post(change_url(by_box), editor_data(by_box, status=Tip.Status.PUBLISHED))
        editor_client.post(LIST, {"action": "publish_now", "_selected_action": [by_action.pk]})
    assert set(Tip.objects.published().values_list("title", flat=True)) == {
        "By the box",
        "By the action",
    }
    assert [message.to for message in mail.outbox] == [["writer@example.com"]] * 2


def test_editors_link_a_guru_to_a_login_of_the_gurus_group_only(editor_client, django_user_model):
    writer = make_guru_user("writer2")
    django_user_model.objects.create_user("boss", password="x-long-password", is_superuser=True)
    guru = make_guru()
    page = editor_client.get(reverse("admin:tips_guru_change", args=[guru.pk])).content.decode()
    assert ">writer2</option>" in page
    assert ">boss</option>" not in page
    assert writer.guru != guru


def test_a_guru_can_neither_restore_nor_recover_versions(client):
    """Restoring writes back a whole earlier row, status and guru included: editors only."""
    import reversion
    from reversion.models import Version

    user = make_guru_user()
    tip = make_tip(guru=user.guru, status=Tip.Status.DRAFT)
    with reversion.create_revision():
        tip.save()
    version = Version.objects.get_for_object(tip).first()
    client.force_login(user)
    revision = reverse("admin:tips_tip_revision", args=[tip.pk, version.pk])
    assert client.get(revision).status_code == 403
    assert client.post(revision, {}).status_code == 403
    assert client.get(reverse("admin:tips_tip_recoverlist")).status_code == 403
    assert client.get(reverse("admin:tips_tip_recover", args=[version.pk])).status_code == 403
