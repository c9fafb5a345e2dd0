"""Site-wide endpoints that belong to no content app."""

import logging
import sys

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.middleware.csrf import REASON_CSRF_TOKEN_MISSING, REASON_NO_CSRF_COOKIE, get_token
from django.shortcuts import render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.views.csrf import csrf_failure as django_csrf_failure
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from .antispam import HONEYPOT_FIELD, TIMESTAMP_FIELD

logger = logging.getLogger(__name__)


def _database_answers() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except DatabaseError:
        logger.exception("Health check: the database did not answer")
        return False


def _cache_answers() -> bool:
    try:
        cache.set("healthz", "ok", timeout=10)
        return cache.get("healthz") == "ok"
    except Exception:  # Each cache backend raises its own connection errors.
        logger.exception("Health check: the cache did not answer")
        return False


def too_many_requests(request: HttpRequest, throttled, *, form_name: str) -> HttpResponse:
    """The 429 page: says plainly when to try again, and tells machines in Retry-After."""
    response = render(
        request,
        "429.html",
        {"retry_after": throttled.retry_after, "form_name": form_name},
        status=429,
    )
    response["Retry-After"] = str(throttled.retry_after)
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 page, with the request id to quote; 503 when the database is what failed."""
    error = sys.exc_info()[1]
    request_id = getattr(request, "id", "")
    if isinstance(error, OperationalError | InterfaceError):
        logger.error("The database is unavailable: %s", error)
        content = render_to_string(
            "503.html", {"request_id": request_id, "SITE_NAME": settings.SITE_NAME}
        )
        response = HttpResponse(content, status=503)
        response["Retry-After"] = "30"
        return response
    context = {"request_id": request_id, "SITE_NAME": settings.SITE_NAME}
    return HttpResponse(render_to_string("500.html", context), status=500)


def bad_request(request: HttpRequest, exception=None) -> HttpResponse:
    """400: a foreign Host header, an oversized body, a malformed request."""
    return HttpResponse(render_to_string("400.html", {"SITE_NAME": settings.SITE_NAME}), status=400)


@require_safe
def favicon(request: HttpRequest) -> HttpResponseRedirect:
    """Browsers ask for /favicon.ico on every page, the admin's included."""
    return HttpResponseRedirect(static("img/favicon.svg"))


@require_safe
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database and the cache answer, 503 naming the one that does not."""
    checks = {"database": _database_answers(), "cache": _cache_answers()}
    healthy = all(checks.values())
    body = {name: "ok" if ok else "unavailable" for name, ok in checks.items()}
    body["status"] = "ok" if healthy else "unavailable"
    return JsonResponse(body, status=200 if healthy else 503)


@require_safe
def robots_txt(request: HttpRequest) -> HttpResponse:
    """Crawlers may read everything but the editors' admin, and learn where the sitemap is."""
    lines = [
        "User-agent: *",
        f"Disallow: {reverse('admin:index')}",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")


@require_safe
@never_cache
def form_token(request: HttpRequest) -> JsonResponse:
    """The reader's own CSRF token, for the forms of a page served from the cache, which carry
    none (tipsite/pagecache.py). ``static/js/forms.js`` asks for it when a form is first used."""
    return JsonResponse({"csrf": get_token(request)})


# Field names whose capitalised form would not say what they hold, on the confirmation page.
CONFIRM_LABELS = {"body": "Comment", "url": "Website"}


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """403 for a form without a valid CSRF token, or one more step for a form from a cached page.

    Such a form arrives with an empty token when the page's script did not run (JavaScript off
    or blocked). It came from this site (the browser's ``Origin`` says so, and the CSRF
    middleware checked that before the token), so the reader is shown what they typed, and a
    button sends it again, now with their token. A visitor with a session (an editor) never
    gets a cached page, so never this step.
    """
    from_cached_page = (
        reason in (REASON_NO_CSRF_COOKIE, REASON_CSRF_TOKEN_MISSING)
        and request.method == "POST"
        and request.POST.get("csrfmiddlewaretoken") == ""
        and request.headers.get("Origin")
        and not request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    )
    if not from_cached_page:
        return django_csrf_failure(request, reason, template_name="403_csrf.html")
    fields = [
        (name, value)
        for name, values in request.POST.lists()
        if name != "csrfmiddlewaretoken"
        for value in values
    ]
    technical = (HONEYPOT_FIELD, TIMESTAMP_FIELD)
    typed = [
        (CONFIRM_LABELS.get(field, field.replace("_", " ").capitalize()), value)
        for name, value in fields
        if value.strip() and (field := name.rpartition("-")[2]) not in technical
    ]
    context = {"action": request.get_full_path(), "fields": fields, "typed": typed}
    return render(request, "403_confirm.html", context, status=403)
