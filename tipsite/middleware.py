"""Site-wide request handling: request ids and logs, hostile requests refused, personal answers
kept from shared caches, a header Django lacks."""

import contextvars
import json
import logging
import os
import re
import time

from django.conf import settings
from django.core.exceptions import SuspiciousOperation, TooManyFilesSent
from django.core.files.uploadhandler import FileUploadHandler
from django.http import HttpResponseNotAllowed
from django.utils.cache import add_never_cache_headers

from .pagecache import PERSONAL_COOKIES

logger = logging.getLogger("tipsite.requests")
request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
INCOMING_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")


class RequestIdFilter(logging.Filter):
    """Adds the current request's id to every log record, errors included."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


class RequestLogMiddleware:
    """Gives each request an id (or keeps a proxy's X-Request-ID) and logs one JSON line for it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # From META: request.headers would copy every header to read this one.
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        request.id = incoming if INCOMING_ID.fullmatch(incoming) else os.urandom(8).hex()
        token = request_id_var.set(request.id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request.id
            if logger.isEnabledFor(logging.INFO):  # the line is not made where it goes nowhere
                logger.info(
                    json.dumps(
                        {
                            "method": request.method,
                            "path": request.path,
                            "status": response.status_code,
                            "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                            "request_id": request.id,
                        }
                    )
                )
            return response
        finally:
            request_id_var.reset(token)


def in_admin(request) -> bool:
    return request.path_info.startswith(f"/{settings.ADMIN_URL}")


class NullCharacterInAddress(SuspiciousOperation):
    """A NUL in an admin address: PostgreSQL refuses it in any query, which would be a 500."""


class RefuseOddRequestsMiddleware:
    """Answers TRACE and CONNECT with 405 everywhere, before any view, static file or media
    file sees them; and an admin address carrying a NUL with 400.

    The admin hands its query string to the database as filters, form defaults and
    autocomplete terms. Readers' pages read theirs through checks that drop a NUL (their
    tests send them), so a pasted search with one in it still finds tips.
    """

    REFUSED_METHODS = {"TRACE", "CONNECT"}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in self.REFUSED_METHODS:
            return HttpResponseNotAllowed(["GET", "HEAD", "POST"])
        if in_admin(request):
            query = request.META.get("QUERY_STRING", "")
            if "\x00" in request.path or "\x00" in query or "%00" in query:
                raise NullCharacterInAddress("A NUL character in an admin address")
        return self.get_response(request)


class FileNotAccepted(TooManyFilesSent):
    """A file part sent where no form takes files: outside the admin the limit is none."""


class RefuseFileParts(FileUploadHandler):
    """Stops a request body at its first file part, before a byte of it is kept anywhere."""

    def new_file(self, *args, **kwargs):
        raise FileNotAccepted("This address takes no files.")


class FilesOnlyForAdminMiddleware:
    """Only the editors' admin takes uploads; everywhere else a file part gets 400.

    Must come before anything that reads ``request.POST`` (the CSRF middleware does), since
    upload handlers cannot change once the body is parsed. Ordinary form fields, including
    the ``FormData`` the vote script sends as multipart, pass as before.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not in_admin(request):
            request.upload_handlers = [RefuseFileParts(request)]
        return self.get_response(request)


class PersonalAnswersMiddleware:
    """Keeps every personal answer out of shared caches (proxies, CDNs) and browsers' stores.

    An answer is personal when it goes to a visitor with a personal cookie (a session, a
    message to show, a vote), sets a cookie, answers anything but GET or HEAD (a form's errors,
    a 429), or comes from the admin: it says ``private, no-store``. Only the page cache's
    answers to anonymous readers say ``public`` (:func:`tipsite.pagecache.shared_cache_control`);
    any other answer that says nothing is marked ``private``, so no cache guesses.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            request.method not in ("GET", "HEAD")
            or response.cookies
            or in_admin(request)
            or any(request.COOKIES.get(name) for name in PERSONAL_COOKIES)
        ):
            del response["Cache-Control"]
            add_never_cache_headers(response)
        elif "Cache-Control" not in response:
            response["Cache-Control"] = "private"
        return response


class PermissionsPolicyMiddleware:
    """Sends Permissions-Policy, which Django has no setting for."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response
