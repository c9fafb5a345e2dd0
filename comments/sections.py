"""The comments part of a tip page, shared by the tip page and the comment form's own errors."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpRequest

from tips.models import Tip
from tipsite.antispam import blank_form
from tipsite.statements import Prepared

from .forms import CommentForm
from .models import Comment, anchor


@dataclass(frozen=True, slots=True)
class ShownComment:
    """An approved comment as the page shows it: five values of a plain row, not a model
    instance with its e-mail, address, user agent and moderation fields."""

    pk: int
    name: str
    url: str
    body: str
    submitted_at: datetime.datetime

    @property
    def anchor(self) -> str:
        return anchor(self.pk)


HELD_KEY = "held_comments"


@Prepared.windowed
def _shown_comments(tip_id: int):
    """A tip's approved comments, as plain rows (compiled once: tipsite.statements). Through
    the model's manager: a tip's related manager costs as much again to set up."""
    shown = Comment.objects.filter(tip_id=tip_id).public()
    return shown.values_list("pk", "name", "url", "body", "submitted_at")


def comment_section(request: HttpRequest, tip: Tip, form: CommentForm | None = None) -> dict:
    """The tip page's comments: one page of approved ones, and the visitor's own held ones."""
    # Paginate by the tip's stored count (no COUNT over its comments), then fetch the one page:
    # a single query, whether the tip has no comments or thousands.
    per_page = settings.COMMENTS_PER_PAGE
    page = Paginator(range(tip.comment_count), per_page).get_page(request.GET.get("comments"))
    offset = (page.number - 1) * per_page
    rows = _shown_comments(tip_id=tip.pk, start=offset, stop=offset + per_page)
    page.object_list = [ShownComment(*row) for row in rows]
    held_ids = request.session.get(HELD_KEY, [])
    held = (
        tip.comments.filter(
            pk__in=held_ids, status__in=[Comment.Status.PENDING, Comment.Status.SPAM]
        )
        if held_ids
        else []
    )
    return {"page": page, "held": held, "form": form or blank_form(CommentForm)}
