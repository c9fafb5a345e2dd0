"""The editors' "Content gaps" page: what readers looked for and did not find."""

from urllib.parse import urlencode

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, ExpressionWrapper, F, FloatField, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_POST

from requests_app.models import TipRequest
from tips import services
from tips.models import SearchMiss, Tip, Vote

ROWS = 20


def _require_editor(request: HttpRequest) -> None:
    if not request.user.has_perm("tips.publish_tip"):
        raise PermissionDenied


def write_tip_url(**initial) -> str:
    return f"{reverse('admin:tips_tip_add')}?{urlencode(initial)}"


def content_gaps(request: HttpRequest) -> HttpResponse:
    _require_editor(request)
    open_requests = (
        TipRequest.objects.filter(status__in=[TipRequest.Status.NEW, TipRequest.Status.PLANNED])
        .values("topic_id", "topic__name")
        .annotate(count=Count("pk"))
        .order_by("-count", "topic__name")
    )
    requests_url = reverse("admin:requests_app_tiprequest_changelist")
    misses = [
        {"miss": miss, "write_url": write_tip_url(title=miss.query.capitalize(), question="")}
        for miss in SearchMiss.objects.all()[:ROWS]
    ]
    share = ExpressionWrapper(
        F("helpful_yes") * 1.0 / (F("helpful_yes") + F("helpful_no")), output_field=FloatField()
    )
    reasons = Vote.objects.filter(helpful=False).exclude(reason="").order_by("-updated_at")
    unhelpful = (
        Tip.objects.filter(helpful_no__gt=0)
        .annotate(share=share)
        .order_by("share", "-helpful_no")
        .select_related("category")
        .prefetch_related(Prefetch("votes", queryset=reasons, to_attr="reasons"))[:ROWS]
    )
    stale = (
        Tip.objects.due_review()
        .select_related("category")
        .order_by(F("last_reviewed").asc(nulls_first=True), "publish_at")[:ROWS]
    )
    context = {
        **admin.site.each_context(request),
        "title": "Content gaps",
        "open_requests": [
            {**row, "url": f"{requests_url}?{urlencode({'topic__id__exact': row['topic_id']})}"}
            for row in open_requests
        ],
        "misses": misses,
        "unhelpful": unhelpful,
        "stale": stale,
    }
    return TemplateResponse(request, "admin/content_gaps.html", context)


@require_POST
def mark_reviewed(request: HttpRequest, tip_id: int) -> HttpResponse:
    _require_editor(request)
    tip = get_object_or_404(Tip, pk=tip_id)
    services.tip_mark_reviewed(tip=tip, user=request.user)
    messages.success(request, f"“{tip.title}” is marked as reviewed today.")
    return redirect("content-gaps")
