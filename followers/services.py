"""Following by e-mail: subscribe, confirm, unsubscribe, and every message sent exactly once.

Each message is a row (:class:`~followers.models.Letter`, :class:`~followers.models.CommentNotice`)
claimed in its own transaction while it is sent: the row is locked (``SELECT … FOR UPDATE SKIP
LOCKED`` on PostgreSQL; SQLite's IMMEDIATE transactions lock the database), sent, marked sent
and committed. Two runs at once never both send it (the second skips the locked row, then finds
it sent); a run that dies or loses its mail server rolls back the message it was on, so the
next run sends it. The one message a crash can repeat is one the mail server accepted in the
instant before its row was committed: no sender can know whether that one arrived.
"""

import datetime
import logging
from collections.abc import Callable
from typing import NamedTuple

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from comments.models import Comment
from comments.services import comments_erase_email
from tips.models import Tip, Topic
from tipsite.emails import normalise_email
from tipsite.mailing import absolute, build_message, smtp_connection

from .models import CommentNotice, Letter, Subscription, week_bounds, week_start

logger = logging.getLogger(__name__)

CONFIRM_SALT = "followers.confirm"
UNSUBSCRIBE_SALT = "followers.unsubscribe"
MANAGE_SALT = "followers.manage"
RESEND_AFTER = datetime.timedelta(hours=1)
# Where a subscriber's own links go in a letter rendered once for a topic (URL-safe, so the
# HTML template's escaping leaves them as they are).
UNSUBSCRIBE_MARK = "https://unsubscribe.mark.invalid/"
MANAGE_MARK = "https://manage.mark.invalid/"
# A letter lists at most this many of the week's tips, and links the topic for the rest.
LETTER_TIPS = 30


class LinkProblem(Exception):
    """A confirmation or unsubscribe link that cannot be used; ``kind`` says why."""

    TAMPERED = "tampered"  # not one of ours, or cut short by the mail program
    EXPIRED = "expired"  # a confirmation link older than FOLLOW_CONFIRM_DAYS
    USED = "used"  # a confirmation link already clicked
    GONE = "gone"  # the subscription no longer exists (unsubscribed, or erased)

    def __init__(self, kind: str):
        super().__init__(kind)
        self.kind = kind


# -- Links ---------------------------------------------------------------------------------------


def confirm_url(subscription: Subscription) -> str:
    """A link that confirms, for ``FOLLOW_CONFIRM_DAYS`` (it carries when it was made)."""
    token = signing.dumps({"s": subscription.pk, "e": subscription.email}, salt=CONFIRM_SALT)
    return absolute(reverse("followers:confirm", args=[token]))


def unsubscribe_url(subscription: Subscription) -> str:
    """A link that unsubscribes for as long as the subscription lasts: the same in every
    message, as an unsubscribe link must work however old the mail it came in."""
    data = {"s": subscription.pk, "e": subscription.email}
    token = signing.Signer(salt=UNSUBSCRIBE_SALT).sign_object(data)
    return absolute(reverse("followers:unsubscribe", args=[token]))


def manage_url(email: str) -> str:
    token = signing.Signer(salt=MANAGE_SALT).sign_object(normalise_email(email))
    return absolute(reverse("followers:manage", args=[token]))


def _subscription_from(token: str, salt: str, *, max_age=None) -> Subscription:
    try:
        if max_age is None:
            data = signing.Signer(salt=salt).unsign_object(token)
        else:
            data = signing.loads(token, salt=salt, max_age=max_age)
    except signing.SignatureExpired:
        raise LinkProblem(LinkProblem.EXPIRED) from None
    except signing.BadSignature:
        raise LinkProblem(LinkProblem.TAMPERED) from None
    if not isinstance(data, dict) or not isinstance(data.get("s"), int):
        raise LinkProblem(LinkProblem.TAMPERED)
    subscription = (
        Subscription.objects.select_related("topic", "tip__category__topic")
        .filter(pk=data["s"], email=data.get("e"))
        .first()
    )
    if subscription is None:
        raise LinkProblem(LinkProblem.GONE)
    return subscription


def email_from_manage_token(token: str) -> str:
    """The address a manage link was made for; LinkProblem if it was not made here."""
    try:
        email = signing.Signer(salt=MANAGE_SALT).unsign_object(token)
    except signing.BadSignature:
        raise LinkProblem(LinkProblem.TAMPERED) from None
    if not isinstance(email, str):
        raise LinkProblem(LinkProblem.TAMPERED)
    return email


# -- Subscribing ---------------------------------------------------------------------------------


def subscription_request(*, email: str, topic: Topic | None = None, tip: Tip | None = None) -> None:
    """Ask ``email``'s owner to confirm following ``topic`` or ``tip``.

    Says nothing of what happened, as the page that answers must not: an address already
    confirmed gets nothing, one asked less than an hour ago is not asked again.
    """
    email = normalise_email(email)
    try:
        with transaction.atomic():
            subscription, _ = Subscription.objects.get_or_create(email=email, topic=topic, tip=tip)
    except IntegrityError:  # the same request a moment earlier, from another worker
        subscription = Subscription.objects.get(email=email, topic=topic, tip=tip)
    if subscription.confirmed_at:
        return
    now = timezone.now()
    # The conditional UPDATE decides, so two requests at once send one mail.
    claimed = (
        Subscription.objects.filter(pk=subscription.pk)
        .filter(Q(confirmation_sent_at=None) | Q(confirmation_sent_at__lte=now - RESEND_AFTER))
        .update(confirmation_sent_at=now)
    )
    if claimed:
        transaction.on_commit(lambda: _send_confirmation(subscription))


def _send_confirmation(subscription: Subscription) -> None:
    context = {
        "subscription": subscription,
        "confirm_url": confirm_url(subscription),
        "confirm_days": settings.FOLLOW_CONFIRM_DAYS,
        **_footer(subscription),
    }
    message = build_message(
        subject=f"Please confirm: {subscription.describe}",
        to=subscription.email,
        text=render_to_string("followers/email/confirm.txt", context),
        html=render_to_string("followers/email/confirm.html", context),
        unsubscribe_url=context["unsubscribe_url"],
    )
    try:
        message.send()
    except OSError:  # smtplib's errors included: the reader may ask again at once
        logger.exception("Could not send the confirmation for subscription %s", subscription.pk)
        Subscription.objects.filter(pk=subscription.pk).update(confirmation_sent_at=None)


def subscription_confirm(*, token: str) -> Subscription:
    """Confirm the subscription a link names; LinkProblem if the link cannot confirm it."""
    max_age = datetime.timedelta(days=settings.FOLLOW_CONFIRM_DAYS)
    subscription = _subscription_from(token, CONFIRM_SALT, max_age=max_age)
    confirmed = Subscription.objects.filter(pk=subscription.pk, confirmed_at=None).update(
        confirmed_at=timezone.now()
    )
    if not confirmed:
        raise LinkProblem(LinkProblem.USED)
    return subscription


def subscription_for_confirming(*, token: str) -> Subscription:
    """The subscription a confirmation link names, if it can still be confirmed."""
    max_age = datetime.timedelta(days=settings.FOLLOW_CONFIRM_DAYS)
    subscription = _subscription_from(token, CONFIRM_SALT, max_age=max_age)
    if subscription.confirmed_at:
        raise LinkProblem(LinkProblem.USED)
    return subscription


def subscription_for_unsubscribing(*, token: str) -> Subscription:
    """The subscription an unsubscribe link names; LinkProblem(GONE) once it is unsubscribed."""
    return _subscription_from(token, UNSUBSCRIBE_SALT)


def subscription_unsubscribe(*, token: str) -> str | None:
    """End the subscription an unsubscribe link names, at once; what it was, or None when it had
    already ended (unsubscribing twice is harmless). LinkProblem(TAMPERED) for a forged link."""
    try:
        subscription = _subscription_from(token, UNSUBSCRIBE_SALT)
    except LinkProblem as problem:
        if problem.kind == LinkProblem.GONE:
            return None
        raise
    described = subscription.describe
    subscription.delete()
    return described


def subscriptions_of(*, email: str) -> QuerySet:
    """Everything an address follows, as its manage page lists it."""
    return Subscription.objects.filter(email=normalise_email(email)).select_related(
        "topic", "tip__category__topic"
    )


def subscriptions_unsubscribe_all(*, email: str) -> int:
    deleted, _ = subscriptions_of(email=email).delete()
    return deleted


def subscriptions_erase_email(*, email: str) -> int:
    """Forget everything an address follows and every message kept for it; returns how many
    subscriptions."""
    counts = Subscription.objects.filter(email=normalise_email(email)).delete()[1]
    return counts.get(Subscription._meta.label, 0)


def email_erase(*, email: str) -> dict[str, int]:
    """A reader's erasure request: their comments and their subscriptions."""
    return {
        "comments": comments_erase_email(email=email),
        "subscriptions": subscriptions_erase_email(email=email),
    }


def topics_with_subscriber_counts() -> QuerySet:
    confirmed = Q(follower_subscriptions__confirmed_at__isnull=False)
    return Topic.objects.annotate(
        subscribers=Count("follower_subscriptions", filter=confirmed)
    ).order_by("name")


# -- Sending, exactly once -----------------------------------------------------------------------


def _footer(subscription: Subscription) -> dict:
    return {
        "unsubscribe_url": unsubscribe_url(subscription),
        "manage_url": manage_url(subscription.email),
        "site_name": settings.SITE_NAME,
        "site_url": settings.SITE_URL,
    }


def _send_each(
    due: QuerySet,
    build: Callable,
    *,
    batch_size: int,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Send the message ``build(row)`` makes for each row of ``due`` (rows not yet sent), each
    exactly once, over one SMTP connection per ``batch_size`` rows; returns how many were sent.

    ``build`` returns None for a row with nothing to say any more; the row is then dropped.
    A mail server that fails stops the run with its exception, the message it was on unsent.
    """
    sent = 0
    after = 0
    while True:
        pks = list(
            due.filter(pk__gt=after).order_by("pk").values_list("pk", flat=True)[:batch_size]
        )
        if not pks:
            return sent
        after = pks[-1]
        with smtp_connection() as connection:
            for pk in pks:
                with transaction.atomic():
                    row = (
                        due.select_for_update(skip_locked=True, of=("self",)).filter(pk=pk).first()
                    )
                    if row is None:
                        continue  # sent already, or being sent by another run
                    message = build(row)
                    if message is None:
                        row.delete()
                        continue
                    connection.send_messages([message])
                    row.sent_at = timezone.now()
                    row.save(update_fields=["sent_at"])
                sent += 1
        if progress:
            progress(sent)


def default_letter_week(today: datetime.date | None = None) -> datetime.date:
    """The last whole week: run on a Monday, the week that just ended."""
    today = today or timezone.localdate()
    return week_start(today) - datetime.timedelta(days=7)


class LetterContent(NamedTuple):
    topic: Topic
    tips: list[dict]
    tip_of_the_week: dict
    more: int


def letter_content(*, topic: Topic, week: datetime.date) -> LetterContent | None:
    """What a topic's letter for the week says: its new tips and the best of them, or None
    when the topic published nothing that week."""
    begin, end = week_bounds(week)
    new = Tip.objects.published().in_topic(topic).filter(publish_at__gte=begin, publish_at__lt=end)
    tips = list(new.for_listing()[:LETTER_TIPS])
    if not tips:
        return None
    entries = [
        {
            "title": tip.title,
            "question": tip.question,
            "url": absolute(tip.get_absolute_url()),
            "score": (tip.helpful_yes - tip.helpful_no, tip.comment_count, tip.publish_at),
        }
        for tip in tips
    ]
    best = max(entries, key=lambda entry: entry["score"])
    return LetterContent(topic, entries, best, max(0, new.count() - len(tips)))


def topic_letters_plan(*, week: datetime.date) -> int:
    """One letter row per confirmed subscriber of each topic that published tips in ``week``.

    Every subscriber confirmed by the time the letters go out gets the week's letter (a reader
    who confirmed on Monday morning gets the week before too: the tips are new to them);
    planning again adds only the rows missing, so it is safe to run any number of times.
    """
    planned = 0
    for topic in Topic.objects.all():
        if letter_content(topic=topic, week=week) is None:
            continue
        subscribers = (
            Subscription.objects.confirmed().filter(topic=topic).values_list("pk", flat=True)
        )
        for chunk in _chunks(subscribers.iterator(chunk_size=2000), 2000):
            created = Letter.objects.bulk_create(
                [Letter(subscription_id=pk, week=week) for pk in chunk], ignore_conflicts=True
            )
            planned += len(created)
    return planned


def _chunks(iterable, size):
    chunk = []
    for item in iterable:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def topic_letters_send(
    *,
    week: datetime.date,
    batch_size: int = 500,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Plan and send the letters of ``week``, each exactly once; returns how many were sent."""
    topic_letters_plan(week=week)
    # A topic's letter is the same for all its subscribers but for their own two links: it is
    # rendered once, with markers where the links go.
    rendered: dict[int, tuple[str, str] | None] = {}

    def render(topic: Topic) -> tuple[str, str] | None:
        content = letter_content(topic=topic, week=week)
        if content is None:
            return None
        context = {
            "content": content,
            "topic_url": absolute(topic.get_absolute_url()),
            "week": week,
            "site_name": settings.SITE_NAME,
            "site_url": settings.SITE_URL,
            "unsubscribe_url": UNSUBSCRIBE_MARK,
            "manage_url": MANAGE_MARK,
        }
        return (
            render_to_string("followers/email/letter.txt", context),
            render_to_string("followers/email/letter.html", context),
        )

    def build(letter: Letter):
        subscription = letter.subscription
        if subscription.topic_id not in rendered:
            rendered[subscription.topic_id] = render(subscription.topic)
        if rendered[subscription.topic_id] is None:  # its tips were withdrawn since planning
            return None
        links = {
            UNSUBSCRIBE_MARK: unsubscribe_url(subscription),
            MANAGE_MARK: manage_url(subscription.email),
        }
        text, html = (_fill(part, links) for part in rendered[subscription.topic_id])
        return build_message(
            subject=f"New {subscription.topic.name} tips this week from {settings.SITE_NAME}",
            to=subscription.email,
            text=text,
            html=html,
            unsubscribe_url=links[UNSUBSCRIBE_MARK],
        )

    due = Letter.objects.filter(week=week, sent_at=None).select_related("subscription__topic")
    return _send_each(due, build, batch_size=batch_size, progress=progress)


def _fill(text: str, links: dict[str, str]) -> str:
    for mark, link in links.items():
        text = text.replace(mark, link)
    return text


def letters_due(*, week: datetime.date) -> int:
    return Letter.objects.filter(week=week, sent_at=None).count()


def comment_notices_record(*, comment: Comment) -> int:
    """A notice of ``comment`` for each confirmed follower of its tip but its author."""
    if comment.status != Comment.Status.APPROVED:
        return 0
    followers = (
        Subscription.objects.confirmed()
        .filter(tip_id=comment.tip_id)
        .exclude(email=normalise_email(comment.email))
        .values_list("pk", flat=True)
    )
    created = CommentNotice.objects.bulk_create(
        [CommentNotice(subscription_id=pk, comment=comment) for pk in followers],
        ignore_conflicts=True,
    )
    return len(created)


def comment_notices_send(
    *, comment: Comment | None = None, batch_size: int = 200, progress=None
) -> int:
    """Send the notices not yet sent (of one comment, or all), each exactly once."""
    due = CommentNotice.objects.filter(sent_at=None).select_related(
        "subscription", "comment__tip__category__topic"
    )
    if comment is not None:
        due = due.filter(comment=comment)

    def build(notice: CommentNotice):
        comment = notice.comment
        if comment.status != Comment.Status.APPROVED:
            return None  # withdrawn by an editor before it was told
        context = {
            "comment": comment,
            "tip": comment.tip,
            "comment_url": absolute(comment.get_absolute_url()),
            **_footer(notice.subscription),
        }
        return build_message(
            subject=f"New comment on “{comment.tip.title}”",
            to=notice.subscription.email,
            text=render_to_string("followers/email/comment.txt", context),
            html=render_to_string("followers/email/comment.html", context),
            unsubscribe_url=context["unsubscribe_url"],
        )

    return _send_each(due, build, batch_size=batch_size, progress=progress)
