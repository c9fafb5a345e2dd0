"""Defences shared by every public form: a honeypot, a signed timestamp and flood control.

Written once and configured per form through ``settings.ANTISPAM`` (keyed by a form's
``antispam_scope``), so comments, tip requests and helpful-votes are held to the same rules.
"""

import datetime
import functools
import hashlib
import ipaddress
import logging
import math
import time
from collections.abc import Hashable

from django import forms
from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.ipv6 import clean_ipv6_address

from .emails import normalise_email

logger = logging.getLogger(__name__)

TOKEN_SALT = "tipsite.antispam.issued"  # noqa: S105 - a namespace, not a secret
HONEYPOT_FIELD = "homepage"
TIMESTAMP_FIELD = "issued"

TOO_FAST = "That was quicker than a person can type. Please check your message and send it again."
EXPIRED = "This form was open for too long and has expired. Please send it again."
TAMPERED = "This form could not be verified. Please send it again."
HONEYPOT = "Please leave the field marked “leave this empty” empty, then send again."


def issue_token(scope: str, *, issued_at: float | None = None) -> str:
    """A signed note of which form was shown and when, to the millisecond; for a form shown
    now, to the tenth of a second (:func:`_token_this_tenth`)."""
    if issued_at is None:
        return _token_this_tenth(scope, int(time.time() * 10), settings.SECRET_KEY)
    return signing.dumps({"form": scope, "at": round(issued_at, 3)}, salt=TOKEN_SALT)


@functools.lru_cache(maxsize=64)
def _token_this_tenth(scope: str, tenth: int, secret_key: str) -> str:
    """One form time per form kind and tenth of a second, signed once (a tip page shows four
    forms, each signing its time was a twentieth of the page). It is no secret, and a form
    looks at most a tenth of a second older than it is, against minimum times of a second.
    ``secret_key`` only keys the cache: a new key signs anew."""
    return issue_token(scope, issued_at=tenth / 10)


def token_age(scope: str, token: str) -> float:
    """Seconds since ``token`` was issued for ``scope``; BadSignature if forged or misplaced."""
    data = signing.loads(token, salt=TOKEN_SALT)
    if not isinstance(data, dict) or data.get("form") != scope:
        raise signing.BadSignature("issued for another form")
    issued_at = data.get("at")
    if not isinstance(issued_at, int | float):
        raise signing.BadSignature("no time")
    return time.time() - issued_at


def limits(scope: str) -> dict[str, int]:
    """The rules for one form: the site-wide defaults with that form's own settings on top."""
    return {**settings.ANTISPAM_DEFAULTS, **settings.ANTISPAM.get(scope, {})}


class Throttled(Exception):
    """Too many submissions; ``retry_after`` says in how many seconds to try again."""

    def __init__(self, retry_after: int):
        super().__init__(f"retry after {retry_after} s")
        self.retry_after = max(1, retry_after)


class ProtectedFormMixin:
    """Adds the honeypot and the signed timestamp to a form and checks both in ``clean()``.

    A form that fails any check keeps what the person typed. It keeps its timestamp too, so a
    quick correction is not taken for a bot; a forged or expired one is replaced, so sending
    it again works.
    """

    antispam_scope: str

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[HONEYPOT_FIELD] = forms.CharField(
            required=False,
            label="Leave this empty",
            widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
        )
        self.fields[TIMESTAMP_FIELD] = forms.CharField(required=False, widget=forms.HiddenInput)
        key = self.add_prefix(TIMESTAMP_FIELD)
        if not self.is_bound:
            self.initial[TIMESTAMP_FIELD] = issue_token(self.antispam_scope)
            return
        try:
            self._submitted_age = token_age(self.antispam_scope, self.data.get(key, ""))
        except signing.BadSignature:
            self._submitted_age = None
        max_age = limits(self.antispam_scope)["max_age_seconds"]
        if self._submitted_age is None or self._submitted_age > max_age:
            self.data = self.data.copy()
            self.data[key] = issue_token(self.antispam_scope)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get(HONEYPOT_FIELD):
            raise ValidationError(HONEYPOT, code="honeypot")
        self._check_timestamp()
        return cleaned

    def _check_timestamp(self) -> None:
        rules, age = limits(self.antispam_scope), self._submitted_age
        if age is None:
            raise ValidationError(TAMPERED, code="tampered")
        if age > rules["max_age_seconds"]:
            raise ValidationError(EXPIRED, code="expired")
        if age < rules["min_seconds"]:
            raise ValidationError(TOO_FAST, code="too_fast")


def blank_form(form_class, *, key: Hashable = None, **kwargs) -> forms.Form:
    """An unfilled ``form_class(**kwargs)``, made once per process and shared by every page that
    shows it: a tip page shows four, and making them (each copies its fields) cost 7% of its
    instructions.

    Plain values among ``kwargs`` (a prefix) tell forms apart by themselves; of any other (a
    topic) ``key`` holds what the form reads (the topic's slug), so a form is made anew when
    that changes. A shared form is only rendered, never filled: its signed time is the moment
    of each page (``tips_tags.protected_fields``), not the one it was made with. Forms that
    show rows of the database (a choice of topics) are never shared.
    """
    given = tuple(
        (name, value if isinstance(value, PLAIN) else type(value))
        for name, value in sorted(kwargs.items())
    )
    memo = (form_class, key, given)
    form = _blank_forms.get(memo)
    if form is None:
        if len(_blank_forms) >= BLANK_FORMS:
            _blank_forms.clear()
        form = _blank_forms[memo] = form_class(**kwargs)
    return form


# Unfilled forms by class, key and what they were made with (plain values, the others' kinds):
# a few per topic at most.
_blank_forms: dict[tuple, forms.Form] = {}
BLANK_FORMS = 1024
PLAIN = (str, int, float, bool, type(None))


def client_ip(request: HttpRequest) -> str:
    """The visitor's address; behind ``TRUSTED_PROXIES`` proxies, the one they forwarded.

    A forwarded hop that is not an IP address (the client wrote it, and the proxy only
    appended) is ignored for the proxy's own address, so a stored IP is always a valid one.
    """
    proxies = settings.TRUSTED_PROXIES
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if len(hops) >= proxies and (address := _ip_address(hops[-proxies])):
            return address
    return request.META.get("REMOTE_ADDR", "")


def _ip_address(text: str) -> str:
    """``text`` as the database stores an IP address (IPv6 compressed as Django does), or ""."""
    try:
        address = ipaddress.ip_address(text)
        return clean_ipv6_address(text) if address.version == 6 else str(address)
    except (ValueError, ValidationError):
        return ""


def _email_digest(value: str) -> str:
    return hashlib.sha256(normalise_email(value).encode()).hexdigest()[:32]


def flood_guard(*, scope: str, ip: str, email: str = "") -> None:
    """Count one submission, or raise :class:`Throttled` when it comes too soon.

    Two rules, both in the shared cache so they hold across workers and servers: one
    submission per IP and per email every ``interval_seconds``, and at most ``per_hour`` per IP
    in a clock hour. Both count with ``cache.add`` alone, which every shared cache does
    atomically (Redis SET NX, a row insert in the database), so submissions arriving at once
    on several workers are each counted. If the cache is down the submission is let through:
    losing a real person's post is worse.
    """
    rules = limits(scope)
    now = time.time()
    try:
        interval = rules["interval_seconds"]
        if interval > 0:
            for identity in filter(None, [ip, email and _email_digest(email)]):
                key = f"flood:{scope}:recent:{identity}"
                if not cache.add(key, now, timeout=interval):
                    last = cache.get(key)
                    if last is None:
                        continue  # the cache did not answer, or the entry just expired
                    raise Throttled(math.ceil(interval - (now - last)))
        per_hour = rules["per_hour"]
        if per_hour > 0 and ip:
            hour = datetime.datetime.fromtimestamp(now, tz=datetime.UTC).strftime("%Y%m%d%H")
            if _all_taken(f"flood:{scope}:hourly:{ip}:{hour}", per_hour):
                raise Throttled(math.ceil(3600 - now % 3600))
    except Throttled:
        raise
    except Exception:  # Each cache backend raises its own connection errors.
        logger.warning("Flood control skipped: the cache did not answer", exc_info=True)


def _all_taken(prefix: str, places: int) -> bool:
    """Take one of ``places`` numbered places; True when all were taken already.

    A counter would need an atomic increment, which only Redis has (the database cache reads
    and writes it back, so two workers counting at once count one). Adding a key is atomic
    everywhere: each submission adds the first place it finds free, and one that loses a
    race for it goes on to the next.
    """
    names = [f"{prefix}:{place}" for place in range(places)]
    taken = cache.get_many(names)
    if any(cache.add(name, 1, timeout=3600) for name in names if name not in taken):
        return False
    # Nothing added: every place is taken, or the cache did not answer (then let it through).
    return len(cache.get_many(names)) == places
