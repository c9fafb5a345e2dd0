"""What waits for editors, counted for the admin home."""

from django import template

from comments.models import Comment
from requests_app.models import TipRequest
from tips.models import Tip

register = template.Library()


@register.simple_tag
def pending_comment_count() -> int:
    return Comment.objects.pending().count()


@register.simple_tag
def new_request_count() -> int:
    return TipRequest.objects.filter(status=TipRequest.Status.NEW).count()


@register.simple_tag
def tips_in_review_count() -> int:
    return Tip.objects.in_review().count()


@register.simple_tag(takes_context=True)
def my_tips_sent_back_count(context) -> int:
    """For a guru: their drafts that came back with an editor's note."""
    user = context["request"].user
    if not user.is_authenticated:
        return 0
    drafts = Tip.objects.filter(guru__user=user, status=Tip.Status.DRAFT)
    return drafts.exclude(review_note="").count()
