"""Actions on tips that editors take in bulk."""

from django.utils import timezone

from .models import Tip


def tips_publish_now(*, tips) -> int:
    """Publish the given tips with a publish time of now; returns how many changed."""
    return tips.exclude(status=Tip.Status.PUBLISHED, publish_at__lte=timezone.now()).update(
        status=Tip.Status.PUBLISHED, publish_at=timezone.now(), updated_at=timezone.now()
    )


def tips_unpublish(*, tips) -> int:
    """Take the given tips back to draft; returns how many changed."""
    return tips.exclude(status=Tip.Status.DRAFT).update(
        status=Tip.Status.DRAFT, updated_at=timezone.now()
    )
