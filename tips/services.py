"""Actions on tips with effects beyond one save: bulk publishing, recording searches."""

import datetime

from django.db import IntegrityError, transaction
from django.db.models import Count, F
from django.utils import timezone

from tipsite.pagecache import content_changed

from .models import SearchMiss, Tip, Vote
from .search import normalise


def tips_recount(*, tip_ids, field: str, rows) -> None:
    """Store on each tip how many of ``rows`` (a queryset with a ``tip`` key) belong to it.

    The tips are locked first (in a fixed order), so concurrent recounts of one tip queue up and
    the last one to write has counted every row committed before it: no lost updates.
    """
    with transaction.atomic():
        locked = list(
            Tip.objects.select_for_update()
            .filter(pk__in=tip_ids)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        counts = dict(
            rows.filter(tip_id__in=locked)
            .values_list("tip_id")
            .annotate(n=Count("pk"))
            .values_list("tip_id", "n")
        )
        for tip_id in locked:
            Tip.objects.filter(pk=tip_id).update(**{field: counts.get(tip_id, 0)})


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


def tips_publish_now(*, tips) -> int:
    """Publish the given tips with a publish time of now; returns how many changed."""
    changed = tips.exclude(status=Tip.Status.PUBLISHED, publish_at__lte=timezone.now()).update(
        status=Tip.Status.PUBLISHED, publish_at=timezone.now(), updated_at=timezone.now()
    )
    transaction.on_commit(content_changed)
    return changed


def tips_unpublish(*, tips) -> int:
    """Take the given tips back to draft; returns how many changed."""
    changed = tips.exclude(status=Tip.Status.DRAFT).update(
        status=Tip.Status.DRAFT, updated_at=timezone.now()
    )
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


def tip_mark_reviewed(*, tip: Tip) -> None:
    tip.last_reviewed = timezone.localdate()
    tip.save(update_fields=["last_reviewed", "updated_at"])
