"""Reading and posting comments. The tip page shows them; posting happens here."""

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST, require_safe

from tips.models import Tip
from tips.tip_page import tip_page_context
from tipsite import public_forms

from . import services
from .forms import CommentForm
from .models import Comment
from .sections import HELD_KEY

HELD_NOTICE = "Thanks! Your comment is awaiting moderation."
# Also what makes the commenter's next page a fresh one (tipsite/pagecache.py): a worker that
# kept the tip's page a moment ago would otherwise show it to them without their comment.
PUBLISHED_NOTICE = "Thanks! Your comment is published."


def comment_location(comment: Comment, position: int | None = None) -> str:
    """The address of an approved comment on its tip: the right page, scrolled to it.

    ``position`` is its place among the tip's comments (1: the first), when already known.
    """
    if position is None:
        earlier = comment.tip.comments.public().filter(submitted_at__lt=comment.submitted_at)
        position = earlier.count() + 1
    page = (position - 1) // settings.COMMENTS_PER_PAGE + 1
    query = f"?comments={page}" if page > 1 else ""
    return f"{comment.tip.get_absolute_url()}{query}#{comment.anchor}"


@require_POST
def post_comment(request: HttpRequest, tip_id: int) -> HttpResponse:
    tip = get_object_or_404(Tip.objects.published().for_posting(), pk=tip_id)
    if not tip.comments_open:
        messages.error(request, "Comments are closed on this tip.")
        return redirect(tip)

    def invalid(form: CommentForm) -> HttpResponse:
        page_tip = Tip.objects.for_page().get(pk=tip.pk)
        context = {**tip_page_context(request, page_tip), "comment_form": form}
        return render(request, "tips/tip_detail.html", context)

    def valid(data: dict, ip: str) -> HttpResponse:
        comment, _, position = services.comment_post(
            tip=tip,
            name=data["name"],
            email=data["email"],
            url=data["url"],
            body=data["body"],
            ip=ip,
            user_agent=request.headers.get("user-agent", ""),
        )
        if comment.status == Comment.Status.APPROVED:
            messages.success(request, PUBLISHED_NOTICE)
            return redirect(comment_location(comment, position))
        request.session[HELD_KEY] = [*request.session.get(HELD_KEY, [])[-19:], comment.pk]
        messages.info(request, HELD_NOTICE)
        return redirect(f"{tip.get_absolute_url()}#comments")

    return public_forms.submit(
        request,
        CommentForm(request.POST),
        form_name="comment",
        email_field="email",
        invalid=invalid,
        valid=valid,
    )


@require_safe
def permalink(request: HttpRequest, pk: int) -> HttpResponse:
    comment = get_object_or_404(
        Comment.objects.public()
        .filter(tip__in=Tip.objects.published())
        .select_related("tip__category__topic"),
        pk=pk,
    )
    return redirect(comment_location(comment))
