import pytest
from django.core import mail

from comments.models import Comment
from comments.services import comment_post
from tests.factories import make_comment, make_editor, make_tip

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _rules(settings):
    settings.COMMENTS_MODERATION = "first"
    settings.COMMENTS_HOLD_LINKS = 2
    settings.COMMENTS_MODERATION_WORDS = ["refund"]
    settings.COMMENTS_DISALLOWED_WORDS = ["casino bonus"]


def post(**fields):
    values = {
        "tip": make_tip(),
        "name": "Sam",
        "email": "sam@example.com",
        "url": "",
        "body": "Useful advice.",
        "ip": "192.0.2.1",
        "user_agent": "Test",
    }
    values.update(fields)
    comment, _, _ = comment_post(**values)
    return comment


def test_first_comment_is_held_and_a_known_email_is_trusted():
    assert post().status == Comment.Status.PENDING
    make_comment(email="known@example.com")
    assert post(email="Known@Example.com ").status == Comment.Status.APPROVED


def test_a_setting_holds_every_comment_or_none(settings):
    make_comment(email="known@example.com")
    settings.COMMENTS_MODERATION = "all"
    assert post(email="known@example.com").status == Comment.Status.PENDING
    settings.COMMENTS_MODERATION = "none"
    assert post(email="new@example.com").status == Comment.Status.APPROVED


@pytest.mark.parametrize(
    "body",
    [
        "See https://a.example and http://b.example",
        "Try www.one.example and www.two.example",
    ],
)
def test_two_or_more_links_are_held_even_from_a_trusted_author(body):
    make_comment(email="known@example.com")
    comment = post(email="known@example.com", body=body)
    assert comment.status == Comment.Status.PENDING
    assert "2 links" in comment.moderation_note


def test_one_link_from_a_trusted_author_is_fine():
    make_comment(email="known@example.com")
    assert post(email="known@example.com", body="See https://a.example").status == "approved"


def test_a_moderation_word_holds_the_comment():
    make_comment(email="known@example.com")
    comment = post(email="known@example.com", body="I want a REFUND")
    assert comment.status == Comment.Status.PENDING
    assert comment.moderation_note == "Moderation word: refund"


@pytest.mark.parametrize(
    "fields",
    [
        {"body": "Get your CASINO BONUS today"},
        {"name": "casino bonus king"},
        {"email": "casino bonus@example.com"},
        {"url": "https://example.com/casino bonus"},
    ],
    ids=["text", "name", "email", "url"],
)
def test_a_disallowed_word_anywhere_marks_spam(fields):
    make_comment(email="sam@example.com")
    assert post(**fields).status == Comment.Status.SPAM


def test_editors_get_an_email_for_a_held_comment(django_capture_on_commit_callbacks):
    editor = make_editor()
    editor.email = "editor@example.com"
    editor.save()
    with django_capture_on_commit_callbacks(execute=True):
        comment = post(body="Is this safe during pregnancy?")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["editor@example.com"]
    assert comment.tip.title in message.subject
    assert "Is this safe during pregnancy?" in message.body
    assert "/admin/comments/comment/?status__exact=pending" in message.body


def test_no_email_for_approved_or_spam_comments(django_capture_on_commit_callbacks):
    editor = make_editor()
    editor.email = "editor@example.com"
    editor.save()
    make_comment(email="known@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        post(email="known@example.com")
        post(body="casino bonus")
    assert mail.outbox == []


def test_the_ip_and_browser_are_kept_for_abuse_handling():
    comment = post(ip="203.0.113.9", user_agent="Mozilla/5.0 " + "x" * 400)
    comment.refresh_from_db()
    assert comment.ip_address == "203.0.113.9"
    assert len(comment.user_agent) == 300
