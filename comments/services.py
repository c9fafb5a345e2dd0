"""Everything that happens to a comment beyond a single save: moderation, counts, mail, erasure."""

import datetime
import logging
from typing import NamedTuple

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from tips.editors import EDITORS_GROUP
from tips.models import Tip
from tips.services import tips_recount
from tipsite.emails import normalise_email
from tipsite.pagecache import discussion_changed

from .models import Comment
from .moderation import judge
from .signals import comment_published

logger = logging.getLogger(__name__)


class Posted(NamedTuple):
    comment: Comment
    created: bool
    # Where a published comment stands among its tip's comments (1: the first), else None.
    position: int | None


def comment_post(
    *, tip: Tip, name: str, email: str, url: str, body: str, ip: str, user_agent: str
) -> Posted:
    """Store a reader's comment as moderation decides: the comment, whether it is new, its place.

    The same text from the same email on the same tip is stored once: a second post returns
    the first comment (the database's unique constraint decides, so this holds under races).
    """
    verdict = judge(name=name, email=email, url=url, body=body)
    comment = Comment(
        tip=tip,
        name=name,
        email=email,
        url=url,
        body=body,
        status=verdict.status,
        moderation_note=verdict.note,
        ip_address=ip or None,
        user_agent=user_agent[:300],
    )
    approved = comment.status == Comment.Status.APPROVED
    position = None
    try:
        with transaction.atomic():
            if approved:
                # Count it first: the UPDATE locks the tip's row until commit, so concurrent
                # posts queue there, none is lost, and each is timed (on save) after the ones
                # before it. The new count is then the comment's place, with no counting of
                # the tip's comments, which a busy tip has thousands of.
                position = _count_one_more(tip)
                comment.save()
            else:
                comment.save()
    except IntegrityError:
        existing = Comment.objects.get(
            tip=tip, email=comment.email, fingerprint=Comment.fingerprint_of(body)
        )
        return Posted(existing, False, None)

    if approved:
        transaction.on_commit(lambda: discussion_changed(tips=[tip]))
        comments_announce(comments=[comment])
    elif comment.status == Comment.Status.PENDING:
        transaction.on_commit(lambda: _tell_editors(comment))
    return Posted(comment, True, position)


def _count_one_more(tip: Tip) -> int:
    """Add one to the tip's comment count and return the new count, in one statement.

    The ORM's ``update()`` cannot return the new value, and every statement more is a round
    trip while the row is locked, which is what concurrent posts to a tip wait for.
    """
    quote = connection.ops.quote_name
    table, count, pk = quote(Tip._meta.db_table), quote("comment_count"), quote(Tip._meta.pk.column)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {count} = {count} + 1 WHERE {pk} = %s RETURNING {count}",  # noqa: S608
            [tip.pk],
        )
        return cursor.fetchone()[0]


def comments_moderate(*, comments, status: str) -> int:
    """Set the status of the given comments (an admin action); returns how many changed."""
    changing = comments.exclude(status=status)
    tip_ids = set(changing.values_list("tip_id", flat=True))
    publishing = list(changing.select_related("tip")) if status == Comment.Status.APPROVED else []
    changed = changing.update(status=status)
    tips_refresh_comment_counts(tip_ids=tip_ids)
    for comment in publishing:
        comment.status = status
    comments_announce(comments=publishing)
    return changed


def comments_announce(*, comments) -> None:
    """Tell the apps above (``comment_published``) that these comments are now public, once
    committed, so a listener never acts on a publication that was rolled back."""
    for comment in comments:
        transaction.on_commit(
            lambda comment=comment: comment_published.send_robust(sender=Comment, comment=comment)
        )


def tips_refresh_comment_counts(*, tip_ids) -> None:
    """Recount the approved comments of these tips; the counts show on pages, so they change."""
    tip_ids = list(tip_ids)
    tips_recount(tip_ids=tip_ids, field="comment_count", rows=Comment.objects.public())
    # Their addresses, read once committed: the pages to re-render.
    tips = (
        Tip.objects.filter(pk__in=tip_ids)
        .select_related("category__topic")
        .only("slug", "category__slug", "category__topic__slug")
    )
    transaction.on_commit(lambda: discussion_changed(tips=tips))


def comments_erase_old_ips(*, days: int) -> int:
    """Forget the IP address and browser of comments older than ``days``; returns how many."""
    cutoff = timezone.now() - datetime.timedelta(days=days)
    return (
        Comment.objects.filter(submitted_at__lt=cutoff)
        .exclude(ip_address=None, user_agent="")
        .update(ip_address=None, user_agent="")
    )


def comments_erase_email(*, email: str) -> int:
    """Delete every comment stored for one email address; returns how many."""
    comments = Comment.objects.filter(email=normalise_email(email))
    tip_ids = set(comments.values_list("tip_id", flat=True))
    deleted, _ = comments.delete()
    tips_refresh_comment_counts(tip_ids=tip_ids)
    return deleted


def _tell_editors(comment: Comment) -> None:
    recipients = list(
        get_user_model()
        .objects.filter(Q(groups__name=EDITORS_GROUP) | Q(is_superuser=True), is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
    )
    if not recipients:
        return
    context = {"comment": comment, "site_name": settings.SITE_NAME, "site_url": settings.SITE_URL}
    try:
        send_mail(
            subject=f"[{settings.SITE_NAME}] A comment awaits moderation on “{comment.tip.title}”",
            message=render_to_string("comments/email/held_comment.txt", context),
            from_email=None,
            recipient_list=recipients,
        )
    except OSError:
        logger.exception("Could not e-mail the editors about comment %s", comment.pk)
