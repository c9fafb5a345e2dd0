"""Whole-page caching for anonymous readers, never more than a moment behind and cheap to hit.

A cached page records the *versions* it was rendered under and is served only while each one it
depends on is still current:

- the **content** version, started afresh by anything editors change (tips, topics, categories,
  gurus, answered requests) and running out by itself at the next scheduled go-live and at the
  site's midnight (the tip of the day and the guru spotlight change then). Every page depends on
  it, and so does every value kept with :func:`remember`;
- the **discussion** version, started afresh whenever the comments readers see change on any tip:
  pages whose tip cards count comments (home, topics, categories, gurus) depend on it;
- a version per **address**, started afresh for the page of each tip whose comments changed.

So a flood of comments re-renders the tips it lands on and the listings, never the sitemaps,
feeds, search results or the other tip pages.

The cache is one every process sees (Redis, or else the database: tipsite/settings), so the
versions are the same for every worker and server, and a management command or a cron job
that changes content starts new ones for all of them.

A hit costs one round trip to the cache, which returns the versions and the page together:
:class:`PageCacheMiddleware` answers it before any other middleware and the view run, with the
headers the page was answered with when it was rendered (security headers and content security
policy included), kept with it. So a page keeps the headers it was rendered with, as it keeps its
HTML, until it is rendered again.

With Redis, a worker keeps what a hit read in its own memory (the ``recent_pages`` cache) and
serves it again without asking, for ``PAGE_CACHE_RECHECK_SECONDS``. So a change made through
another worker or server, or by a command, shows within that time; the worker that made it
forgets what it kept at once, and the person who made it is served fresh pages (an editor has
a session, a reader who commented or voted a message or a cookie). Without Redis there is no
such copy: every request asks the database, and a change shows at the next one.

Its answers tell shared caches in front (a caching proxy, a CDN) that they may keep them for
``HTTP_CACHE_SECONDS`` (:func:`shared_cache_control`). Answers to personal visits, which it
never serves, say ``no-store`` (tipsite.middleware.PersonalAnswersMiddleware).

A page is kept per address and the values of the query parameters its view declares it reads
(the page number of a listing, a search's words): any other parameter, such as a campaign's
``utm_source``, is never part of the page nor of its key, so strangers cannot fill the cache
with copies of one page.

On a miss, the view (wrapped in :func:`cache_page_for_readers`) renders and stores the page; when
several workers miss the same page at once, one renders it and the others wait for its result
instead of rendering it too.

Pages are stored without what is not the same for every reader. A CSRF token is a secret of
one reader's: a cached page carries none, so serving it needs no token made, no cookie set and
no secret in the page; a reader who starts to use a form gets their own from
:func:`tipsite.views.form_token` (``static/js/forms.js``), and one without JavaScript is asked
to confirm (:func:`tipsite.views.csrf_failure`). Signed form times are swapped for placeholders
and filled in for each request with the time of the visit.

Pages are stored compressed, as most clients take them: the text between placeholders is
compressed once, when stored, and the fills go between its parts uncompressed (see
:func:`_gzip_around`), so a hit compresses nothing. Visitors with a session, a pending message
or a vote cookie are never served from (or stored into) the cache.
"""

import contextvars
import datetime
import functools
import gzip
import hashlib
import re
import struct
import threading
import time
import uuid
import zlib
from collections import OrderedDict

from django.conf import settings
from django.core import signing
from django.core.cache import cache, caches
from django.core.exceptions import DisallowedHost
from django.db import DatabaseError, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpRequest, HttpResponse, QueryDict
from django.urls import Resolver404, URLResolver, get_resolver
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date, parse_http_date_safe, quote_etag

from .antispam import TOKEN_SALT, issue_token

# Part of every page's key: a release that stores pages differently changes it, so it never
# reads what an older release stored in the same cache.
LAYOUT = 6
STATE_KEY = "pagecache:state"
DISCUSSION_KEY = "pagecache:discussion"
CSRF_FIELD = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*(")')
# A cached page's CSRF fields are left empty, for the reader's script to fill (static/js/forms.js).
UNFILLED_CSRF = r"\g<1>\g<2>"
FORM_TIME = re.compile(r'(name="(?:[\w-]+-)?issued" value=")([^"]*)(")')
PLACEHOLDER = re.compile("(\x00form:[\\w-]*\x00)")
# A gzip member's header (RFC 1952): deflate, no name, no time, unknown system.
GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
# The same test Django's GZipMiddleware makes.
ACCEPTS_GZIP = re.compile(r"\bgzip\b")
PERSONAL_COOKIES = ("sessionid", "messages", "tipsite_visitor")
# Headers that differ from one answer of a page to the next (its body is compressed or not, its
# length then differs) or follow the settings of the moment (shared_cache_control).
PER_VISIT = frozenset({"content-length", "content-encoding", "cache-control", "x-page-cache"})
BODY_HEADERS = frozenset({"content-type", "content-language", "content-disposition"})
POLICIES = ("Content-Security-Policy", "Content-Security-Policy-Report-Only")
# What makes a request conditional (RFC 9110, section 13.1).
CONDITIONS = (
    "HTTP_IF_MATCH",
    "HTTP_IF_NONE_MATCH",
    "HTTP_IF_MODIFIED_SINCE",
    "HTTP_IF_UNMODIFIED_SINCE",
)
# This worker's copies of what it has just served from the shared cache (see the docstring).
RECENT = "recent_pages"
# Pages from this size on are compressed at zlib's fastest level (see _deflate_apart).
BIG_PAGE = 64 * 1024
# A render that takes longer than this lets a waiting worker render the page itself.
RENDER_LOCK_SECONDS = 30

# Within a cached view, the content state as read for this request (a one-item dict filled
# on first use), so a page reads it once however many remembered values it uses.
_request_state: contextvars.ContextVar[dict | None] = contextvars.ContextVar(
    "pagecache_state", default=None
)


# Functions the apps register (:func:`changes_at`), each giving the next moment their content
# changes by itself, such as a scheduled tip going live; None when nothing is due.
_scheduled_changes: list = []


def changes_at(next_change) -> None:
    """Let the content version run out by itself at ``next_change()``, a datetime or None.

    The apps register what they schedule (the tips app its go-live times); the page cache
    itself knows no app.
    """
    if next_change not in _scheduled_changes:
        _scheduled_changes.append(next_change)


def _next_expiry() -> float:
    """When the content version runs out by itself: the next scheduled change, or else local
    midnight (the tip of the day and the guru spotlight change then)."""
    now = timezone.localtime()
    midnight = timezone.make_aware(
        datetime.datetime.combine(now.date() + datetime.timedelta(days=1), datetime.time.min)
    )
    scheduled = [moment for next_change in _scheduled_changes if (moment := next_change(now))]
    return min([*scheduled, midnight]).timestamp()


def _new_version() -> str:
    return uuid.uuid4().hex


def content_changed() -> dict:
    """Start a new content version: every cached page is stale from now on, on every server."""
    state = {"version": _new_version(), "changed_at": time.time(), "expires_at": _next_expiry()}
    cache.set(STATE_KEY, state, timeout=None)
    _forget_recent()
    _remember_for_request(state)
    return state


def _recent():
    return caches[RECENT] if RECENT in settings.CACHES else None


def _forget_recent() -> None:
    """Stop serving this worker's copies: it changed what they show (other workers wait theirs
    out)."""
    if (recent := _recent()) is not None:
        recent.clear()


def _remember_for_request(state: dict) -> None:
    memo = _request_state.get()
    if memo is not None:
        memo["state"] = state


def _usable(state) -> bool:
    # Anything but a state this code wrote (none yet, or one from an older release) is unusable.
    return isinstance(state, dict) and bool(state.get("version") and state.get("expires_at"))


def _expired(state) -> bool:
    return not _usable(state) or time.time() >= state["expires_at"]


def _fresh(state) -> dict:
    """The state to use now, replacing a missing or expired one the same way on every worker.

    Workers that find the state missing or run out at the same moment must agree on its
    successor: each making up its own version would have them store pages the others cannot
    use and render them again and again. So a missing state is added only if still missing,
    and an expired one is followed by a version derived from it.
    """
    if not _expired(state):
        _remember_for_request(state)
        return state
    if _usable(state):
        successor = hashlib.sha256(f"{state['version']}:{state['expires_at']}".encode())
        state = {
            "version": successor.hexdigest()[:32],
            "changed_at": state["expires_at"],
            "expires_at": _next_expiry(),
        }
        cache.set(STATE_KEY, state, timeout=None)
    else:
        state = {"version": _new_version(), "changed_at": time.time(), "expires_at": _next_expiry()}
        if not cache.add(STATE_KEY, state, timeout=None):
            existing = cache.get(STATE_KEY)
            state = existing if _usable(existing) else state
    _remember_for_request(state)
    return state


def current_state() -> dict:
    memo = _request_state.get() or {}
    state = memo.get("state")
    return _fresh(cache.get(STATE_KEY)) if _expired(state) else state


def _address_key(path: str) -> str:
    return "pagecache:address:" + hashlib.sha256(path.encode()).hexdigest()


def discussion_changed(*, tips) -> None:
    """The comments readers see changed on these tips: re-render them and the listings.

    ``tips`` come with their categories and topics, for their addresses.
    """
    versions = {_address_key(tip.get_absolute_url()): _new_version() for tip in tips}
    cache.set_many({DISCUSSION_KEY: _new_version(), **versions}, timeout=None)
    _forget_recent()


class _Remembered:
    """This process's copies of remembered values, by key (content version and name).

    A key names one value for good: a new content version makes new keys, so a copy is never
    out of date, and every worker still computes a value at most once per version and shares
    it through the cache. The copies save the round trip to the cache (and the unpickling) that
    a page would otherwise make for each value: on a tip page, most of what the cache costs.
    They last as long as the shared entry would, at most, and the least recently used go first.
    """

    SIZE = 256

    def __init__(self):
        self._values: OrderedDict[str, tuple[float, object]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str):
        with self._lock:
            expires_at, value = self._values.get(key, (0.0, None))
            if expires_at <= time.monotonic():
                return None
            self._values.move_to_end(key)
            return value

    def set(self, key: str, value, timeout: float) -> None:
        with self._lock:
            self._values[key] = (time.monotonic() + timeout, value)
            self._values.move_to_end(key)
            while len(self._values) > self.SIZE:
                self._values.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._values.clear()


_remembered = _Remembered()


def remember(name: str, compute, *, timeout: int | None = None, shared: bool = True):
    """``compute()``'s value, kept until the content changes (every time afresh without a cache).

    For what pages derive from content alone, such as counts over every published tip. The
    value is shared by every worker through the cache, and each worker keeps a copy for its own
    next pages (:class:`_Remembered`): it must not be changed by whoever asks for it.

    ``shared=False`` is for a value that costs less to compute than to fetch and store (the
    menu: one small query, against two round trips to the cache and the pickling): each worker
    computes its own copy, once per content version.
    """
    if settings.PAGE_CACHE_SECONDS <= 0:
        return compute()
    key = f"pagecache:value:{current_state()['version']}:{name}"
    timeout = timeout or settings.PAGE_CACHE_SECONDS
    value = _remembered.get(key)
    if value is None:
        value = cache.get(key) if shared else None
        if value is None:
            value = compute()
            if shared:
                cache.set(key, value, timeout=timeout)
        _remembered.set(key, value, timeout)
    return value


def _cacheable(request: HttpRequest) -> bool:
    return (
        settings.PAGE_CACHE_SECONDS > 0
        and request.method in ("GET", "HEAD")
        and not any(request.COOKIES.get(name) for name in PERSONAL_COOKIES)
        # Left to the security middleware, which redirects it.
        and (not settings.SECURE_SSL_REDIRECT or request.is_secure())
    )


class Lookup:
    """One request's view of the cache: the current versions and the stored page, if any.

    With ``recent``, what this worker kept of a hit on the same address moments ago stands in
    for the shared cache, as long as it lasts.
    """

    def __init__(self, request: HttpRequest, params: tuple[str, ...] = (), *, recent: bool = False):
        self.params = params
        address = request.build_absolute_uri(request.path)
        # Without a query string there is nothing to read (and no QueryDict to make).
        if request.META.get("QUERY_STRING") and (
            query := read_params(request.GET, params).urlencode()
        ):
            address += "?" + query
        self.key = f"pagecache:page:{LAYOUT}:" + hashlib.sha256(address.encode()).hexdigest()
        self.address_key = _address_key(request.path)
        self.kept = _recent() if recent else None
        found = self.kept.get(self.key) if self.kept is not None else None
        self.shared = found is None or _expired(found.get(STATE_KEY))
        if self.shared:
            found = cache.get_many([STATE_KEY, DISCUSSION_KEY, self.address_key, self.key])
        self.found = found
        self.state = _fresh(found.get(STATE_KEY))
        self.versions = {
            "content": self.state["version"],
            "discussion": found.get(DISCUSSION_KEY),
            "address": found.get(self.address_key),
        }
        self.entry = found.get(self.key)
        # What this request renders: what is kept of the page, and its answer (respond_rendered).
        self.rendered = None

    def keep(self) -> None:
        """Keep a hit read from the shared cache in this worker's memory, for the next ones."""
        if self.shared and self.kept is not None:
            self.kept.set(self.key, self.found, timeout=settings.PAGE_CACHE_RECHECK_SECONDS)

    def valid(self, entry) -> bool:
        """Whether ``entry`` was rendered under the versions it depends on that are current now."""
        versions = entry.get("versions") if isinstance(entry, dict) else None
        return bool(versions) and all(
            self.versions.get(name, False) == version for name, version in versions.items()
        )

    def entry_for(self, response: HttpResponse, depends: tuple[str, ...]) -> dict | None:
        """What to keep of a rendered page, unless it asks not to be kept (``no-store``).

        ``response`` gets the validators and Vary every answer of the page carries. The headers
        kept are the view's until the page is stored (:meth:`store`).
        """
        if "no-store" in response.get("Cache-Control", ""):
            return None
        content = response.content.decode(response.charset)
        content = FORM_TIME.sub(lambda m: f"{m[1]}{_form_mark(_scope_of(m[2]))}{m[3]}", content)
        content = CSRF_FIELD.sub(UNFILLED_CSRF, content)
        pieces = PLACEHOLDER.split(content)
        text = [piece.encode(response.charset) for piece in pieces[::2]]
        rendered_at = time.time()
        # Cookie: a visitor with a personal cookie (PERSONAL_COOKIES) gets a page of their own.
        patch_vary_headers(response, ["Accept-Encoding", "Cookie"])
        # Weak: the bytes differ per visit (their form times), the page does not.
        response["ETag"] = "W/" + quote_etag(
            hashlib.md5(content.encode(), usedforsecurity=False).hexdigest()
        )
        # The view's own date (sitemaps) comes first.
        response.headers.setdefault("Last-Modified", http_date(rendered_at))
        return {
            # The page cut at its placeholders, as bytes, and those bytes compressed (for a page
            # without placeholders, only compressed: the rare client that takes no gzip gets
            # them unpacked).
            "text": text if len(pieces) > 1 else None,
            "placeholders": pieces[1::2],
            "deflated": _deflate_apart(text),
            # Only needed for a page without placeholders: others are summed per visitor.
            "crc": zlib.crc32(text[0]),
            "size": len(text[0]),
            "headers": _lasting(response),
            "last_modified": parse_http_date_safe(response["Last-Modified"]),
            "versions": {name: self.versions[name] for name in ("content", *depends)},
        }

    def respond_rendered(
        self, request: HttpRequest, entry: dict, response: HttpResponse
    ) -> HttpResponse:
        """The answer to the request that rendered ``entry``: the view's ``response`` itself,
        which keeps what the view's decorators marked on it for the middleware between the view
        and the page cache (a policy of its own, no frame options), with the page as it is
        kept. :meth:`store` keeps it once it has passed them."""
        self.rendered = (entry, self._page(request, entry, response, hit=False))
        return self.rendered[1]

    def store(self, answer: HttpResponse) -> dict | None:
        """Keep the page this request rendered, with every header it is answered with but those
        set per visit: the view's own and those the middleware between the view and the page
        cache gave it (security headers, the content security policy, as the view's decorators
        changed them), so a hit carries the very same without any of them running.

        Nothing is kept if ``answer`` is not the page (something below replaced it), if it sets
        a cookie (it was one visitor's) or if its policy carries a nonce, which must be new in
        every answer. Returns what it kept.
        """
        if self.rendered is None:
            return None
        entry, page = self.rendered
        if answer is not page or answer.cookies or _has_nonce(answer):
            return None
        entry["headers"] = _lasting(answer)
        cache.set(self.key, entry, timeout=settings.PAGE_CACHE_SECONDS)
        return entry

    def respond(self, request: HttpRequest, entry: dict) -> HttpResponse:
        """A hit: the stored page, with its stored headers."""
        page = self._page(request, entry, HttpResponse(headers=entry["headers"]), hit=True)
        return self.conditional(request, entry, page)

    def _page(
        self, request: HttpRequest, entry: dict, page: HttpResponse, *, hit: bool
    ) -> HttpResponse:
        fills = _fills(entry["placeholders"])
        if ACCEPTS_GZIP.search(request.META.get("HTTP_ACCEPT_ENCODING", "")):
            page.content = _gzip_around(entry, fills)
            page["Content-Encoding"] = "gzip"
        elif entry["text"] is None:
            page.content = gzip.decompress(_gzip_around(entry, fills))
        else:
            body = [None] * (2 * len(fills) + 1)
            body[::2], body[1::2] = entry["text"], fills
            page.content = b"".join(body)
        page["Cache-Control"] = shared_cache_control()
        page["X-Page-Cache"] = "hit" if hit else "miss"
        # What the common middleware does, which a hit is answered above.
        page["Content-Length"] = str(len(page.content))
        return page

    @staticmethod
    def conditional(request: HttpRequest, entry: dict, page: HttpResponse) -> HttpResponse:
        """304 to a reader whose copy is current (412 when a precondition fails), as the
        conditional-GET middleware answers, which a hit is answered above.

        Django's 304 keeps only the validators and caching headers, to which the middleware
        between the view and the page cache would add theirs, as to any answer: it gets the
        page's headers, but for those that describe a body.
        """
        if not any(condition in request.META for condition in CONDITIONS):
            return page
        answer = get_conditional_response(
            request, etag=page["ETag"], last_modified=entry["last_modified"], response=page
        )
        if answer is not page:
            for name, value in entry["headers"].items():
                if name.lower() not in BODY_HEADERS:
                    answer.headers.setdefault(name, value)
        return answer


def _lasting(response: HttpResponse) -> dict[str, str]:
    """The headers of ``response`` that every answer of its page carries."""
    return {name: value for name, value in response.items() if name.lower() not in PER_VISIT}


def _has_nonce(response: HttpResponse) -> bool:
    return any("'nonce-" in response.get(header, "") for header in POLICIES)


def shared_cache_control() -> str:
    """What a page that is the same for every anonymous reader says to the caches on its way.

    A shared cache (a proxy, a CDN) may keep it for ``HTTP_CACHE_SECONDS``; a browser asks
    again every time, and gets 304 while it has not changed. Form times in a page a proxy
    keeps look up to that much older than they are: no person is ever refused for that, and a
    bot that posts straight from such a page lacks the CSRF token forms.js fetches.
    """
    if settings.HTTP_CACHE_SECONDS <= 0:
        return "private, max-age=0, must-revalidate"
    return f"public, max-age=0, s-maxage={settings.HTTP_CACHE_SECONDS}"


def _deflate_apart(text: list[bytes]) -> list[bytes]:
    """Each stretch of ``text`` compressed as raw deflate (RFC 1951) that refers to no other.

    A full flush ends each one on a byte boundary with the compressor's memory emptied, so
    blocks of other bytes may go between them and nothing after a gap points back across it.

    Compressing takes time in proportion to the page, paid by the request that renders it (a
    crawler's every request): pages of the usual size get level 3, and pages as big as a
    sitemap file zlib's fastest. On a 27 KB tip page, level 3 takes 0.24 ms for 6.6 KB, the
    default level (6) 0.44 ms for 6.0 KB.
    """
    level = 3 if sum(map(len, text)) < BIG_PAGE else 1
    compressor = zlib.compressobj(level, zlib.DEFLATED, -zlib.MAX_WBITS)
    segments = [compressor.compress(piece) + compressor.flush(zlib.Z_FULL_FLUSH) for piece in text]
    segments[-1] += compressor.flush(zlib.Z_FINISH)
    return segments


def _stored(data: bytes) -> bytes:
    """``data`` as deflate blocks that keep it as it is ("stored", RFC 1951 section 3.2.4)."""
    blocks = []
    for start in range(0, len(data), 0xFFFF):
        chunk = data[start : start + 0xFFFF]
        blocks.append(b"\x00" + struct.pack("<HH", len(chunk), len(chunk) ^ 0xFFFF) + chunk)
    return b"".join(blocks)


def _gzip_around(entry: dict, fills: list[bytes]) -> bytes:
    """The stored page as one gzip member, with this visit's fills sent uncompressed.

    So filling costs no compression at all, only the checksum of the whole, and nothing
    compressed ever depends on what differs from one visit to the next.
    """
    segments = entry["deflated"]
    body = [GZIP_HEADER, segments[0]]
    if fills:
        crc, size = 0, 0
        for text, fill, segment in zip(entry["text"], fills, segments[1:], strict=False):
            crc = zlib.crc32(fill, zlib.crc32(text, crc))
            size += len(text) + len(fill)
            body += (_stored(fill), segment)
        crc = zlib.crc32(entry["text"][-1], crc)
        size += len(entry["text"][-1])
    else:
        crc, size = entry["crc"], entry["size"]
    body.append(struct.pack("<II", crc, size & 0xFFFFFFFF))
    return b"".join(body)


def _form_mark(scope: str) -> str:
    return f"\x00form:{scope}\x00"


def _fills(placeholders: list[str]) -> list[bytes]:
    """What the placeholders stand for in this visit: the form times of now, one signature per
    form kind and tenth of a second for every reader (:func:`tipsite.antispam.issue_token`)."""
    return [issue_token(mark.strip("\x00").removeprefix("form:")).encode() for mark in placeholders]


@functools.lru_cache(maxsize=64)
def _scope_of(token: str) -> str:
    """The form kind a signed form time was issued for. The forms of a kind share one time
    per tenth of a second (``issue_token``): most pages stored meanwhile hold the same ones."""
    try:
        return signing.loads(token, salt=TOKEN_SALT)["form"]
    except (signing.BadSignature, KeyError, TypeError):
        return ""


class PageCacheMiddleware:
    """Serves cached pages to anonymous readers as early as it can (see the module docstring).

    Sits under the request log alone, so a hit runs no other middleware: it carries the headers
    they gave its page when it was rendered (:meth:`Lookup.store`), sets its own length and
    answers conditional requests itself (:meth:`Lookup.respond`). It looks up GET and HEAD
    requests only (the rest go on, TRACE and CONNECT to be refused), for addresses routed to a
    view wrapped in :func:`cache_page_for_readers` (never the admin's), and never over plain
    HTTP where the site redirects to HTTPS. A missing page renders below and is stored on its
    way back up, headers and all.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        memo = _request_state.set({})
        try:
            if not _cacheable(request) or (params := _cached_view(request)) is None:
                return self.get_response(request)
            try:
                lookup = Lookup(request, params, recent=True)
            except (DisallowedHost, DatabaseError):
                # A host the site does not serve, or a cache in a database that is away: the
                # middleware below answer them (400, 503) as any other page, headers and all.
                return self.get_response(request)
            if lookup.valid(lookup.entry):
                lookup.keep()
                return lookup.respond(request, lookup.entry)
            return _render_once(request, lookup, self.get_response)
        finally:
            _request_state.reset(memo)


def _cached_view(request: HttpRequest) -> tuple[str, ...] | None:
    """The query parameters of the cached view ``request`` routes to; None if it is not cached."""
    resolver = get_resolver(getattr(request, "urlconf", None))
    return _routes_to_cached_view(request.path_info, resolver)


@functools.lru_cache(maxsize=4096)
def _routes_to_cached_view(path: str, resolver: URLResolver) -> tuple[str, ...] | None:
    """The query parameters read by the cached view ``path`` routes to (None: not cached). The
    URLconf alone decides, never the data, so the answer is remembered (per resolver, which
    Django replaces when the URLconf changes): routing costs a tenth of a bare view."""
    try:
        match = resolver.resolve(path)
    except Resolver404:
        return None
    return getattr(match.func, "page_cache_params", None)


def read_params(query: QueryDict, params: tuple[str, ...]) -> QueryDict:
    """The part of ``query`` a cached view with these ``params`` reads, the same for one page.

    Each declared parameter counts once, by its last value (the one ``QueryDict.get`` gives),
    with its spacing evened out; one left empty counts as absent, as every view takes it; they
    come in the declared order. Anything else (``utm_source``, ``fbclid``, a stranger's
    ``?x=<random>``) is left out, so it neither makes a page of its own in the cache nor shows
    in one that others are served.
    """
    kept = QueryDict(mutable=True)
    for name in params:
        if value := " ".join(query.get(name, "").split()):
            kept[name] = value
    kept._mutable = False
    return kept


def cache_page_for_readers(
    view=None, *, depends: tuple[str, ...] = (), params: tuple[str, ...] = ()
):
    """Keep this GET view's pages for anonymous readers; :class:`PageCacheMiddleware` serves them.

    ``depends`` names the versions besides content that the page shows: ``"discussion"`` for
    comment counts across tips, ``"address"`` for the comments of the tip at this address.

    ``params`` names the query parameters the view reads (``"page"`` of a paginated listing):
    a page is kept per address and values of these alone. The view, and the templates it
    renders, see only these in ``request.GET`` (see :func:`read_params`), for every visitor, so
    what it shows can depend on nothing else and a parameter it reads but does not declare is
    missed at once, cached or not.
    """
    if view is None:
        return functools.partial(cache_page_for_readers, depends=depends, params=params)

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        request.GET = read_params(request.GET, params)
        lookup = getattr(request, "page_cache_lookup", None)
        if lookup is None:  # a personal visit (or no middleware): render as usual
            return view(request, *args, **kwargs)
        response = view(request, *args, **kwargs)
        if hasattr(response, "render") and callable(response.render):
            response = response.render()
        if response.status_code != 200 or response.streaming or response.cookies:
            return response
        entry = lookup.entry_for(response, depends)
        if entry is None:
            return response
        # The page went out without the CSRF token its forms made, so the cookie that
        # token needs is not sent either: the answer is the same for everyone.
        request.META["CSRF_COOKIE_NEEDS_UPDATE"] = False
        return lookup.respond_rendered(request, entry, response)

    wrapper.page_cache_params = params
    return wrapper


def _render_once(request: HttpRequest, lookup: Lookup, get_response) -> HttpResponse:
    """Render a missing page, unless another worker already is: then wait for its result."""
    for _ in range(2):
        lock = lookup.key + ":rendering"
        if cache.add(lock, 1, timeout=RENDER_LOCK_SECONDS):
            try:
                return _render(request, lookup, get_response)
            finally:
                cache.delete(lock)
        entry = _wait_for_render(lookup, lock)
        if entry is not None:
            return lookup.respond(request, entry)
        # The render ended without a page for these versions (or the cache went away): look
        # again, with the versions of now.
        lookup = Lookup(request, lookup.params)
        if lookup.valid(lookup.entry):
            return lookup.respond(request, lookup.entry)
    return _render(request, lookup, get_response)


def _render(request: HttpRequest, lookup: Lookup, get_response) -> HttpResponse:
    """The answer of the middleware below and the view, the page kept from it on its way up.

    The page renders as for a reader without a copy of it, so that it is kept whole (a 304
    carries only part of its headers); the reader's conditions are answered here, as for a hit.
    An answer that is not kept goes out in full.
    """
    request.page_cache_lookup = lookup
    conditions = {name: request.META.pop(name) for name in CONDITIONS if name in request.META}
    try:
        answer = get_response(request)
    finally:
        request.META.update(conditions)
    if (entry := lookup.store(answer)) is not None:
        return lookup.conditional(request, entry, answer)
    return answer


def _wait_for_render(lookup: Lookup, lock: str) -> dict | None:
    """The page another worker is rendering, once stored; None if its lock goes first."""
    deadline = time.monotonic() + RENDER_LOCK_SECONDS
    pause = 0.005
    while time.monotonic() < deadline:
        time.sleep(pause)
        pause = min(pause * 2, 0.05)
        found = cache.get_many([lookup.key, lock])
        if lookup.valid(found.get(lookup.key)):
            return found[lookup.key]
        if lock not in found:
            return None
    return None


def watch(model, *, unseen=None) -> None:
    """Start a new content version whenever ``model`` is saved or deleted.

    ``unseen(instance, created)`` may say that a save changes nothing readers see (a tip request
    that is not answered), so floods of those do not empty the cache.
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
