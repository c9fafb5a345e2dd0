"""Request a Tip: the form, its thank-you page, live suggestions and the answered list."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe
from django.views.generic import ListView

from tips import search
from tipsite import public_forms

from . import services
from .forms import TipRequestForm
from .models import TipRequest

LAST_REQUEST_KEY = "last_tip_request"
SUGGESTIONS = 5


@require_http_methods(["GET", "HEAD", "POST"])
def request_tip(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        form = TipRequestForm(initial=TipRequestForm.initial_from(request.GET))
        return render(request, "requests_app/request_form.html", {"form": form})

    def invalid(form: TipRequestForm) -> HttpResponse:
        return render(request, "requests_app/request_form.html", {"form": form})

    def valid(data: dict, ip: str) -> HttpResponse:
        tip_request, _ = services.tip_request_create(
            question=data["question"],
            details=data["details"],
            topic=data["topic"],
            category=data["category"],
            name=data["name"],
            email=data["email"],
            ip=ip,
        )
        request.session[LAST_REQUEST_KEY] = tip_request.pk
        return redirect("requests_app:thanks")

    return public_forms.submit(
        request,
        TipRequestForm(request.POST),
        form_name="tip request",
        email_field="email",
        invalid=invalid,
        valid=valid,
    )


@require_safe
def thanks(request: HttpRequest) -> HttpResponse:
    tip_request = (
        TipRequest.objects.select_related("topic", "category")
        .filter(pk=request.session.get(LAST_REQUEST_KEY))
        .first()
    )
    if tip_request is None:
        return redirect("requests_app:request")
    return render(request, "requests_app/thanks.html", {"tip_request": tip_request})


@require_safe
def suggestions(request: HttpRequest) -> JsonResponse:
    """Up to five published tips that may already answer what the visitor is typing."""
    tips = search.suggest(request.GET.get("q", "")[:300], limit=SUGGESTIONS)
    return JsonResponse(
        {
            "results": [
                {
                    "title": tip.title,
                    "question": tip.question,
                    "topic": tip.category.topic.name,
                    "url": tip.get_absolute_url(),
                }
                for tip in tips
            ]
        }
    )


class AnsweredView(ListView):
    template_name = "requests_app/answered.html"
    context_object_name = "answered"
    paginate_by = 30

    def get_queryset(self):
        return (
            TipRequest.objects.answered_publicly()
            .select_related("answer_tip__category__topic")
            .order_by("-answer_tip__publish_at", "-pk")
        )
