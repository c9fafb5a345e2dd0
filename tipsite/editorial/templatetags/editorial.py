"""What waits for editors, counted for the admin home."""

from django import template

from comments.models import Comment
from requests_app.models import TipRequest

register = template.Library()


@register.simple_tag
def pending_comment_count() -> int:
    return Comment.objects.pending().count()


@register.simple_tag
def new_request_count() -> int:
    return TipRequest.objects.filter(status=TipRequest.Status.NEW).count()
