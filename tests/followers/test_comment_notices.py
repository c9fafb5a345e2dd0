"""Comment notices: each follower of a tip but the comment's author hears of it once, when it is
published (on posting or on approval); held and spam comments send nothing."""

from collections import Counter

import pytest
from django.contrib.admin.sites import site
from django.core.management import call_command
from django.urls import reverse

from comments import services as comment_services
from comments.models import Comment
from followers.models import CommentNotice
from tests.factories import comment_data, make_comment, make_subscription, make_tip
from tests.followers.smtp_sink import html_of, text_of

pytestmark = pytest.mark.django_db(transaction=True)


def followed_tip(*emails: str, unconfirmed: str = ""):
    tip = make_tip(title="Neuromuscular Massage Therapy")
    for email in emails:
        make_subscription(tip=tip, email=email)
    if unconfirmed:
        make_subscription(tip=tip, email=unconfirmed, confirmed=False)
    return tip


def test_a_published_comment_reaches_each_follower_but_its_author(client, smtp, settings):
    settings.COMMENTS_MODERATION = "none"
    tip = followed_tip("ann@example.com", "maya@example.com", unconfirmed="new@example.com")
    response = client.post(
        reverse("comments:post", args=[tip.pk]),
        comment_data(email="Maya@Example.com", body="Try it after a warm bath."),
    )
    assert response.status_code == 302

    [notice] = smtp.messages
    assert notice["To"] == "ann@example.com"
    # Encoded (RFC 2047) and folded; Python's parser keeps the fold's space, mail programs don't.
    assert notice["Subject"].strip() == "New comment on “Neuromuscular Massage Therapy”"
    assert notice["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    comment = Comment.objects.get()
    assert "Try it after a warm bath." in text_of(notice)
    assert f"https://tips.example.org{comment.get_absolute_url()}" in text_of(notice)
    assert "Try it after a warm bath." in html_of(notice)


def test_held_and_spam_comments_send_nothing_until_approved_then_once(client, smtp, settings):
    settings.COMMENTS_MODERATION = "all"
    tip = followed_tip("ann@example.com")
    client.post(reverse("comments:post", args=[tip.pk]), comment_data())
    spam = make_comment(tip=tip, status=Comment.Status.SPAM)
    assert smtp.messages == []

    held = Comment.objects.get(status=Comment.Status.PENDING)
    comment_services.comments_moderate(
        comments=Comment.objects.filter(pk=held.pk), status=Comment.Status.APPROVED
    )
    assert len(smtp.messages) == 1
    # Removed, then approved again: the followers heard of it already.
    for status in (Comment.Status.REMOVED, Comment.Status.APPROVED):
        comment_services.comments_moderate(
            comments=Comment.objects.filter(pk=held.pk), status=status
        )
    assert len(smtp.messages) == 1
    assert spam.status == Comment.Status.SPAM


def test_approving_in_the_admin_form_tells_the_followers(admin_client, smtp):
    tip = followed_tip("ann@example.com")
    held = make_comment(tip=tip, status=Comment.Status.PENDING, body="Held at first")
    url = reverse(f"{site.name}:comments_comment_change", args=[held.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields}
    data["status"] = Comment.Status.APPROVED
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    [notice] = smtp.messages
    assert "Held at first" in text_of(notice)


def test_notices_a_failed_mail_server_left_are_sent_once_by_the_command(client, smtp, settings):
    settings.COMMENTS_MODERATION = "none"
    tip = followed_tip("ann@example.com", "bob@example.com", "cy@example.com")
    smtp.fail_after = 1
    client.post(reverse("comments:post", args=[tip.pk]), comment_data())
    assert len(smtp.messages) == 1
    assert CommentNotice.objects.filter(sent_at=None).count() == 2

    smtp.fail_after = None
    call_command("send_comment_notices")
    call_command("send_comment_notices")
    assert Counter(message["To"] for message in smtp.messages) == {
        "ann@example.com": 1,
        "bob@example.com": 1,
        "cy@example.com": 1,
    }
