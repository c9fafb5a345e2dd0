"""Actions on tips with effects beyond one save: bulk publishing, the review between gurus and
editors, recording searches."""

import datetime
import logging

import reversion
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, F, OuterRef
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from tipsite.pagecache import content_changed

from .editors import EDITORS_GROUP
from .models import Category, Guru, SearchMiss, Tip, Vote
from .search import normalise

logger = logging.getLogger(__name__)


def tips_recount(*, tip_ids, field: str, rows) -> None:
    """Store on each tip how many of ``rows`` (a queryset with a ``tip`` key) belong to it."""
    _store_counts(model=Tip, pks=tip_ids, field=field, rows=rows, key="tip_id")


def categories_recount(*, category_ids) -> None:
    """Store on each category how many of its tips have the published status (scheduled ones
    included: ``Category.published_tip_count``).

    Called wherever a tip's status or category may change. Each count reads the category's
    index.
    """
    ids = {pk for pk in category_ids if pk is not None}
    if ids:
        published = Tip.objects.filter(status=Tip.Status.PUBLISHED)
        _store_counts(
            model=Category, pks=ids, field="published_tip_count", rows=published, key="category_id"
        )


def _store_counts(*, model, pks, field: str, rows, key: str) -> None:
    """Store on each ``model`` row of ``pks`` in ``field`` how many of ``rows`` name it by ``key``.

    The rows are locked first (in a fixed order), so concurrent recounts of one row queue up and
    the last one to write has counted every row committed before it: no lost updates.
    """
    with transaction.atomic():
        locked = list(
            model.objects.select_for_update()
            .filter(pk__in=pks)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        counts = dict(
            rows.filter(**{f"{key}__in": locked})
            .order_by()
            .values_list(key)
            .annotate(n=Count("pk"))
            .values_list(key, "n")
        )
        for pk in locked:
            model.objects.filter(pk=pk).update(**{field: counts.get(pk, 0)})


def categories_recount_all() -> None:
    """Every category's count afresh: after tips were loaded without the services (bench)."""
    categories_recount(category_ids=Category.objects.values_list("pk", flat=True))


def _categories_of(tips) -> list[int]:
    return list(tips.order_by().values_list("category_id", flat=True).distinct())


def tip_vote(*, tip: Tip, visitor: str, helpful: bool, reason: str = "") -> Vote:
    """Record or change a visitor's helpful-vote; a "Yes" forgets any earlier reason."""
    values = {"helpful": helpful, "reason": "" if helpful else reason}
    try:
        with transaction.atomic():
            vote, _ = Vote.objects.update_or_create(tip=tip, visitor=visitor, defaults=values)
    except IntegrityError:  # the same visitor's other request created it first
        vote = Vote.objects.get(tip=tip, visitor=visitor)
        Vote.objects.filter(pk=vote.pk).update(**values)
    votes = Vote.objects.all()
    tips_recount(tip_ids=[tip.pk], field="helpful_yes", rows=votes.filter(helpful=True))
    tips_recount(tip_ids=[tip.pk], field="helpful_no", rows=votes.filter(helpful=False))
    return vote


def tips_keep_versions(*, tip_ids, comment: str, user=None) -> None:
    """Keep the tips as they now are as a version each, like every save in the admin.

    Inside a revision already under way (an admin view's) they join it; otherwise they make one.
    """
    with transaction.atomic(), reversion.create_revision():
        reversion.set_comment(comment)
        if user is not None:
            reversion.set_user(user)
        for tip in Tip.objects.filter(pk__in=tip_ids):
            reversion.add_to_revision(tip)  # and its images, which the tip's versions follow


def tips_publish_now(*, tips, user=None) -> int:
    """Publish the given tips with a publish time of now; returns how many changed.

    A tip in review is approved (:func:`tip_approve`), so its guru hears of it.
    """
    with transaction.atomic():
        approved = [
            tip.pk for tip in tips.filter(status=Tip.Status.IN_REVIEW) if tip_approve(tip=tip)
        ]
        ids = list(
            tips.exclude(status=Tip.Status.PUBLISHED, publish_at__lte=timezone.now()).values_list(
                "pk", flat=True
            )
        )
        changed = len(approved) + Tip.objects.filter(pk__in=ids).update(
            status=Tip.Status.PUBLISHED, publish_at=timezone.now(), updated_at=timezone.now()
        )
        categories_recount(category_ids=_categories_of(Tip.objects.filter(pk__in=ids)))
        tips_keep_versions(tip_ids=[*approved, *ids], comment="Published now.", user=user)
    transaction.on_commit(content_changed)
    return changed


def tips_unpublish(*, tips, user=None) -> int:
    """Take the given tips back to draft; returns how many changed."""
    with transaction.atomic():
        ids = list(tips.exclude(status=Tip.Status.DRAFT).values_list("pk", flat=True))
        changed = Tip.objects.filter(pk__in=ids).update(
            status=Tip.Status.DRAFT, updated_at=timezone.now()
        )
        categories_recount(category_ids=_categories_of(Tip.objects.filter(pk__in=ids)))
        tips_keep_versions(tip_ids=ids, comment="Unpublished.", user=user)
    transaction.on_commit(content_changed)
    return changed


def search_record_miss(*, query: str) -> None:
    """Count a search that found nothing, for the editors' content-gaps page.

    One row per normalised query (the same words in any case or spacing), counted up
    in the database so that concurrent misses of one query are all counted.
    """
    text = normalise(query)[: SearchMiss._meta.get_field("query").max_length]
    if not text:
        return
    bump = {"count": F("count") + 1, "last_searched_at": timezone.now()}
    if SearchMiss.objects.filter(query=text).update(**bump):
        return
    try:
        with transaction.atomic():
            SearchMiss.objects.create(query=text)
    except IntegrityError:  # someone else recorded it first
        SearchMiss.objects.filter(query=text).update(**bump)


def search_misses_prune(*, days: int) -> int:
    """Forget the searches without results nobody has made for ``days`` days; how many."""
    cutoff = timezone.now() - datetime.timedelta(days=days)
    deleted, _ = SearchMiss.objects.filter(last_searched_at__lt=cutoff).delete()
    return deleted


def tip_mark_reviewed(*, tip: Tip, user=None) -> None:
    with transaction.atomic():
        tip.last_reviewed = timezone.localdate()
        tip.save(update_fields=["last_reviewed", "updated_at"])
        tips_keep_versions(tip_ids=[tip.pk], comment="Marked as reviewed.", user=user)


def tip_submit_for_review(*, tip: Tip) -> bool:
    """Send a draft to the editors: it joins the review queue and they get one e-mail.

    A conditional UPDATE makes the change, so a double click (or a tip already sent, approved
    or published meanwhile) changes and mails nothing; returns whether it was sent.
    """
    now = timezone.now()
    sent = Tip.objects.filter(pk=tip.pk, status=Tip.Status.DRAFT).update(
        status=Tip.Status.IN_REVIEW, submitted_at=now, updated_at=now
    )
    if sent:
        tip.refresh_from_db(fields=["status", "submitted_at", "updated_at"])
        tips_keep_versions(tip_ids=[tip.pk], comment="Submitted for review.")
        transaction.on_commit(lambda: _mail_editors_submitted(tip))
    return bool(sent)


def tips_submit_for_review(*, tips) -> int:
    """:func:`tip_submit_for_review` for each of ``tips``; how many were sent."""
    return sum(tip_submit_for_review(tip=tip) for tip in tips.filter(status=Tip.Status.DRAFT))


def tip_request_changes(*, tip: Tip, note: str) -> bool:
    """Send a tip in review back to its guru as a draft, with the editor's note; one e-mail."""
    changed = Tip.objects.filter(pk=tip.pk, status=Tip.Status.IN_REVIEW).update(
        status=Tip.Status.DRAFT, review_note=note, submitted_at=None, updated_at=timezone.now()
    )
    if changed:
        tip.refresh_from_db(fields=["status", "review_note", "submitted_at", "updated_at"])
        tips_keep_versions(tip_ids=[tip.pk], comment="Changes requested.")
        transaction.on_commit(lambda: _mail_guru(tip, "tips/email/changes_requested.txt"))
    return bool(changed)


def tip_approve(*, tip: Tip, publish_at: datetime.datetime | None = None) -> bool:
    """Publish a tip in review now, or schedule it for ``publish_at``; one e-mail to its guru.

    A scheduled tip goes live by itself at its time (``Tip.objects.published``); the guru hears
    of it when it is approved, with the time.
    """
    changed = Tip.objects.filter(pk=tip.pk, status=Tip.Status.IN_REVIEW).update(
        status=Tip.Status.PUBLISHED,
        publish_at=publish_at or timezone.now(),
        review_note="",
        submitted_at=None,
        updated_at=timezone.now(),
    )
    if changed:
        tip.refresh_from_db()
        categories_recount(category_ids=[tip.category_id])
        tips_keep_versions(tip_ids=[tip.pk], comment="Approved.")
        transaction.on_commit(content_changed)
        transaction.on_commit(lambda: _mail_guru(tip, "tips/email/approved.txt"))
    return bool(changed)


def tips_move_to_category(*, tips, category: Category) -> tuple[int, list[Tip]]:
    """Move ``tips`` into ``category``; returns how many moved and the tips that could not,
    because the category already has a tip at their address (slug)."""
    taken = Tip.objects.filter(category=category, slug=OuterRef("slug"))
    tips = tips.exclude(category=category)
    clashes = list(tips.filter(Exists(taken)))
    moving = tips.exclude(pk__in=[tip.pk for tip in clashes])
    with transaction.atomic():
        ids = list(moving.values_list("pk", flat=True))
        left = _categories_of(Tip.objects.filter(pk__in=ids))
        moved = Tip.objects.filter(pk__in=ids).update(category=category, updated_at=timezone.now())
        categories_recount(category_ids=[*left, category.pk])
    transaction.on_commit(content_changed)
    return moved, clashes


def tips_assign_guru(*, tips, guru: Guru) -> int:
    """Credit ``tips`` to ``guru`` (who may then edit the drafts among them); how many changed."""
    changed = tips.exclude(guru=guru).update(guru=guru, updated_at=timezone.now())
    transaction.on_commit(content_changed)
    return changed


def _admin_url(tip: Tip) -> str:
    return settings.SITE_URL + reverse("admin:tips_tip_change", args=[tip.pk])


def _mail_editors_submitted(tip: Tip) -> None:
    recipients = list(
        get_user_model()
        .objects.filter(groups__name=EDITORS_GROUP, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
    )
    if not recipients:
        return
    context = {
        "tip": tip,
        "guru": tip.guru,
        "tip_admin_url": _admin_url(tip),
        "queue_url": settings.SITE_URL
        + reverse("admin:tips_tip_changelist")
        + f"?status={Tip.Status.IN_REVIEW}",
        "site_name": settings.SITE_NAME,
    }
    _send(
        subject=f"[{settings.SITE_NAME}] Submitted for review: “{tip.title}”",
        template="tips/email/submitted.txt",
        context=context,
        recipients=recipients,
    )


def _mail_guru(tip: Tip, template: str) -> None:
    user = tip.guru.user if tip.guru_id else None
    if user is None or not user.email or not user.is_active:
        return
    context = {
        "tip": tip,
        "guru": tip.guru,
        "tip_admin_url": _admin_url(tip),
        "tip_url": settings.SITE_URL + tip.get_absolute_url(),
        "scheduled": tip.is_scheduled,
        "site_name": settings.SITE_NAME,
    }
    if tip.status == Tip.Status.DRAFT:
        subject = f"Changes requested: “{tip.title}”"
    elif tip.is_scheduled:
        subject = f"Approved and scheduled: “{tip.title}”"
    else:
        subject = f"Published: “{tip.title}”"
    _send(
        subject=f"[{settings.SITE_NAME}] {subject}",
        template=template,
        context=context,
        recipients=[user.email],
    )


def _send(*, subject: str, template: str, context: dict, recipients: list[str]) -> None:
    try:
        send_mail(
            subject=subject,
            message=render_to_string(template, context),
            from_email=None,
            recipient_list=recipients,
        )
    except OSError:
        # The review itself is saved; a mail server that is down must not undo it.
        logger.exception("Could not send %s for tip %s", template, context["tip"].pk)
