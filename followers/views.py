"""Subscribe, confirm, unsubscribe and manage: no account, the signed link is the key."""

from urllib.parse import urlsplit

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from tips.models import Tip, Topic
from tipsite import public_forms
from tipsite.params import slug_param

from . import services
from .forms import FollowTipForm, FollowTopicForm
from .services import LinkProblem

TOPIC_PREFIX = "follow-topic"
TIP_PREFIX = "follow-tip"


@require_http_methods(["GET", "HEAD", "POST"])
def follow_topic(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        topic = Topic.objects.filter(slug=slug_param(request.GET, "topic")).first()
        initial = {"topic": topic.slug} if topic else {}
        form = FollowTopicForm(prefix=TOPIC_PREFIX, initial=initial)
        return render(request, "followers/follow.html", {"form": form, "topic": topic})

    def invalid(form: FollowTopicForm) -> HttpResponse:
        return render(request, "followers/follow.html", {"form": form})

    def valid(data: dict, ip: str) -> HttpResponse:
        services.subscription_request(email=data["email"], topic=data["topic"])
        return redirect("followers:check-inbox")

    form = FollowTopicForm(request.POST, prefix=TOPIC_PREFIX)
    return public_forms.submit(
        request, form, form_name="subscription", email_field="email", invalid=invalid, valid=valid
    )


@require_http_methods(["GET", "HEAD", "POST"])
def follow_tip(request: HttpRequest, tip_id: int) -> HttpResponse:
    tip = get_object_or_404(Tip.objects.published().for_posting(), pk=tip_id)
    if request.method != "POST":
        form = FollowTipForm(prefix=TIP_PREFIX)
        return render(request, "followers/follow.html", {"form": form, "tip": tip})

    def invalid(form: FollowTipForm) -> HttpResponse:
        return render(request, "followers/follow.html", {"form": form, "tip": tip})

    def valid(data: dict, ip: str) -> HttpResponse:
        services.subscription_request(email=data["email"], tip=tip)
        return redirect("followers:check-inbox")

    form = FollowTipForm(request.POST, prefix=TIP_PREFIX)
    return public_forms.submit(
        request, form, form_name="subscription", email_field="email", invalid=invalid, valid=valid
    )


@require_safe
def check_inbox(request: HttpRequest) -> HttpResponse:
    """The same answer for every address: whether one is subscribed already is its owner's
    business."""
    return render(request, "followers/check_inbox.html")


def _path(url: str) -> str:
    """A mail's link as a link on the site's own pages (whichever host serves them)."""
    return urlsplit(url).path


def _problem(request: HttpRequest, problem: LinkProblem, action: str) -> HttpResponse:
    status = 200 if problem.kind in (LinkProblem.USED, LinkProblem.GONE) else 400
    context = {"problem": problem.kind, "action": action}
    return render(request, "followers/link_problem.html", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The link in the confirmation mail. Opening it asks for one click, which confirms: mail
    scanners that open every link must not subscribe anyone."""
    try:
        if request.method != "POST":
            subscription = services.subscription_for_confirming(token=token)
            return render(request, "followers/confirm.html", {"subscription": subscription})
        subscription = services.subscription_confirm(token=token)
    except LinkProblem as problem:
        return _problem(request, problem, "confirm")
    context = {
        "subscription": subscription,
        "manage_url": _path(services.manage_url(subscription.email)),
    }
    return render(request, "followers/confirmed.html", context)


# The signed address is the key, not a session: RFC 8058 has mail programs POST here without
# cookies, so there is no CSRF token to check (and nothing a forged request could gain but
# unsubscribing the one address the link was sent to).
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a one-button page (link scanners open links, and must not unsubscribe);
    POST, from that button or a mail program's one-click, unsubscribes at once."""
    try:
        if request.method != "POST":
            subscription = services.subscription_for_unsubscribing(token=token)
            return render(request, "followers/unsubscribe.html", {"subscription": subscription})
        described = services.subscription_unsubscribe(token=token)
    except LinkProblem as problem:
        return _problem(request, problem, "unsubscribe")
    return render(request, "followers/unsubscribed.html", {"described": described})


@require_http_methods(["GET", "HEAD", "POST"])
def manage(request: HttpRequest, token: str) -> HttpResponse:
    """Everything one address follows, each with its own unsubscribe; or all at once."""
    try:
        email = services.email_from_manage_token(token)
    except LinkProblem as problem:
        return _problem(request, problem, "manage")
    if request.method == "POST":
        services.subscriptions_unsubscribe_all(email=email)
        return redirect("followers:manage", token=token)
    subscriptions = [
        (subscription, _path(services.unsubscribe_url(subscription)))
        for subscription in services.subscriptions_of(email=email)
    ]
    return render(
        request, "followers/manage.html", {"email": email, "subscriptions": subscriptions}
    )
