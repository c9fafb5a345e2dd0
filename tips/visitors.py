"""Recognising a returning reader for helpful-votes, with a random cookie and nothing else."""

import hashlib
import re
import secrets

from django.conf import settings
from django.http import HttpRequest, HttpResponse

COOKIE = "tipsite_visitor"
TOKEN = re.compile(r"[A-Za-z0-9_-]{24,64}")
ONE_YEAR = 365 * 24 * 3600


def visitor_token(request: HttpRequest) -> str | None:
    token = request.COOKIES.get(COOKIE, "")
    return token if TOKEN.fullmatch(token) else None


def visitor_key(token: str) -> str:
    """What the database stores: a hash, so the cookie itself is never kept."""
    return hashlib.sha256(f"{settings.SECRET_KEY}:{token}".encode()).hexdigest()[:64]


def new_token() -> str:
    return secrets.token_urlsafe(24)


def set_visitor_cookie(response: HttpResponse, token: str) -> None:
    response.set_cookie(
        COOKIE,
        token,
        max_age=ONE_YEAR,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
