from django import template

from requests_app.models import TipRequest

from ..models import Comment

register = template.Library()


@register.simple_tag
def pending_comment_count() -> int:
    return Comment.objects.pending().count()


@register.simple_tag
def new_request_count() -> int:
    return TipRequest.objects.filter(status=TipRequest.Status.NEW).count()
