import pytest
from django.urls import reverse

from comments.models import Comment
from tests.factories import make_comment, make_tip

pytestmark = pytest.mark.django_db


def test_the_queue_lists_pending_comments_first(editor_client):
    make_comment(name="Approved Anna")
    make_comment(name="Pending Paul", status=Comment.Status.PENDING)
    make_comment(name="Spam Sue", status=Comment.Status.SPAM)
    html = editor_client.get(reverse("admin:comments_comment_changelist")).content.decode()
    assert html.index("Pending Paul") < html.index("Spam Sue")
    assert html.index("Pending Paul") < html.index("Approved Anna")


@pytest.mark.parametrize(
    ("action", "status", "message"),
    [
        ("approve", Comment.Status.APPROVED, "2 comments were approved."),
        ("mark_spam", Comment.Status.SPAM, "2 comments were marked as spam."),
        ("remove", Comment.Status.REMOVED, "2 comments were removed."),
    ],
)
def test_bulk_actions_change_status_report_counts_and_keep_counts_true(
    editor_client, action, status, message
):
    tip = make_tip()
    pending = [make_comment(tip=tip, status=Comment.Status.PENDING) for _ in range(2)]
    response = editor_client.post(
        reverse("admin:comments_comment_changelist"),
        {"action": action, "_selected_action": [c.pk for c in pending]},
        follow=True,
    )
    assert message in response.content.decode()
    assert set(Comment.objects.values_list("status", flat=True)) == {status}
    tip.refresh_from_db()
    assert tip.comment_count == (2 if status == Comment.Status.APPROVED else 0)


def test_removing_an_approved_comment_hides_it_from_readers(editor_client, client):
    comment = make_comment(body="Soon gone")
    editor_client.post(
        reverse("admin:comments_comment_changelist"),
        {"action": "remove", "_selected_action": [comment.pk]},
    )
    editor_client.logout()
    assert "Soon gone" not in client.get(comment.tip.get_absolute_url()).content.decode()


def test_the_admin_index_shows_how_many_comments_wait(editor_client):
    for _ in range(3):
        make_comment(status=Comment.Status.PENDING)
    html = editor_client.get(reverse("admin:index")).content.decode()
    assert "3 comments await moderation" in html


def test_editors_may_moderate_comments(editor_client):
    comment = make_comment()
    url = reverse("admin:comments_comment_change", args=[comment.pk])
    assert editor_client.get(url).status_code == 200
