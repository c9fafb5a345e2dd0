"""Whole-page caching for anonymous readers that is never wrong.

Every cached page is filed under the current *content version*, one key in the shared cache
(Redis in production). Anything that changes what readers see calls :func:`content_changed`,
which starts a new version, so every server's next request renders afresh. A scheduled tip has
no event when it goes live, so the version also remembers the next publish time and expires at
that moment.

Pages are cached without their per-visitor parts: the CSRF token and the signed form times are
swapped for placeholders before storing and filled in for each request, so no visitor ever gets
another's token. Visitors with a session, a pending message or a vote cookie are never served
from (or stored into) the cache.
"""

import functools
import hashlib
import logging
import re
import time
import uuid

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.http import http_date, quote_etag

from tips.models import Tip

from .antispam import TOKEN_SALT, issue_token

logger = logging.getLogger(__name__)

STATE_KEY = "pagecache:state"
CSRF_FIELD = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*(")')
FORM_TIME = re.compile(r'(name="(?:[\w-]+-)?issued" value=")([^"]*)(")')
CSRF_MARK = "\x00csrf\x00"
PERSONAL_COOKIES = ("sessionid", "messages", "tipsite_visitor")


def _next_go_live() -> float | None:
    scheduled = (
        Tip.objects.filter(status=Tip.Status.PUBLISHED, publish_at__gt=timezone.now())
        .order_by("publish_at")
        .values_list("publish_at", flat=True)
        .first()
    )
    return scheduled.timestamp() if scheduled else None


def content_changed() -> dict:
    """Start a new content version: every cached page is stale from now on, on every server."""
    state = {"version": uuid.uuid4().hex, "changed_at": time.time(), "expires_at": _next_go_live()}
    cache.set(STATE_KEY, state, timeout=None)
    return state


def current_state() -> dict:
    state = cache.get(STATE_KEY)
    if state is None or (state["expires_at"] and time.time() >= state["expires_at"]):
        state = content_changed()
    return state


def _cacheable(request: HttpRequest) -> bool:
    return (
        settings.PAGE_CACHE_SECONDS > 0
        and request.method in ("GET", "HEAD")
        and not any(request.COOKIES.get(name) for name in PERSONAL_COOKIES)
    )


def _strip(content: str) -> str:
    content = CSRF_FIELD.sub(rf"\g<1>{CSRF_MARK}\g<2>", content)
    # Keep the form's name (encoded in the old token) so a fresh token can be issued per request.
    return FORM_TIME.sub(lambda m: f"{m[1]}\x00form:{_scope_of(m[2])}\x00{m[3]}", content)


def _scope_of(token: str) -> str:
    try:
        return signing.loads(token, salt=TOKEN_SALT)["form"]
    except (signing.BadSignature, KeyError, TypeError):
        return ""


def _fill(content: str, request: HttpRequest) -> str:
    content = content.replace(CSRF_MARK, get_token(request))
    return re.sub("\x00form:([\\w-]*)\x00", lambda m: issue_token(m[1]), content)


def _respond(request: HttpRequest, entry: dict, state: dict, hit: bool) -> HttpResponse:
    response = HttpResponse(_fill(entry["content"], request), content_type=entry["content_type"])
    # Weak: the bytes differ per visitor (their tokens), the page does not.
    response["ETag"] = "W/" + quote_etag(entry["etag"])
    response["Last-Modified"] = http_date(state["changed_at"])
    response["Cache-Control"] = "private, max-age=0, must-revalidate"
    response["X-Page-Cache"] = "hit" if hit else "miss"
    return response


def cache_page_for_readers(view):
    """Serve a GET view from the shared page cache to anonymous readers (see module docstring)."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if not _cacheable(request):
            return view(request, *args, **kwargs)
        state = current_state()
        path = hashlib.sha256(request.get_full_path().encode()).hexdigest()
        key = f"pagecache:{state['version']}:{path}"
        entry = cache.get(key)
        if entry is not None:
            return _respond(request, entry, state, hit=True)

        response = view(request, *args, **kwargs)
        if hasattr(response, "render") and callable(response.render):
            response = response.render()
        if response.status_code != 200 or response.streaming or response.cookies:
            return response
        content = _strip(response.content.decode(response.charset))
        entry = {
            "content": content,
            "content_type": response["Content-Type"],
            "etag": hashlib.md5(content.encode(), usedforsecurity=False).hexdigest(),
        }
        cache.set(key, entry, timeout=settings.PAGE_CACHE_SECONDS)
        return _respond(request, entry, state, hit=False)

    return wrapper


def watch(model, *, unseen=None) -> None:
    """Start a new content version whenever ``model`` is saved or deleted.

    ``unseen(instance, created)`` may say that a save changes nothing readers see (a new comment
    that waits for moderation), so floods of those do not empty the cache.
    """

    def saved(sender, instance, created, **kwargs):
        if unseen is None or not unseen(instance, created):
            transaction.on_commit(content_changed)

    def deleted(sender, **kwargs):
        transaction.on_commit(content_changed)

    uid = f"pagecache:{model._meta.label}"
    post_save.connect(saved, sender=model, weak=False, dispatch_uid=uid)
    post_delete.connect(deleted, sender=model, weak=False, dispatch_uid=uid)
    for field in model._meta.many_to_many:
        m2m_changed.connect(
            deleted, sender=field.remote_field.through, weak=False, dispatch_uid=uid
        )
