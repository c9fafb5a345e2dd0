"""The editors' admin site, and its answer to a login that django-axes has locked out."""

import math

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_username, get_cool_off
from django.contrib import admin
from django.db.models import Max
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone


class TipSiteAdminSite(admin.AdminSite):
    """Django's admin site, the one place (with the root URLconf) that may join the apps."""


def login_locked_out(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials=None
) -> HttpResponse:
    """429 in the admin's own look: when this username may try again from this address.

    Called by django-axes (``AXES_LOCKOUT_CALLABLE``) in place of the login form it refused.
    """
    wait = seconds_until_unlocked(request, credentials)
    context = {
        **admin.site.each_context(request),
        "title": "Too many failed logins",
        "username": get_client_username(request, credentials) or "",
        "wait_minutes": math.ceil(wait / 60),
        "retry_at": timezone.now() + timezone.timedelta(seconds=wait),
    }
    response = render(request, "admin/login_locked_out.html", context, status=429)
    response["Retry-After"] = str(wait)
    return response


def seconds_until_unlocked(request: HttpRequest, credentials=None) -> int:
    """The cool-off counts from the latest failure of this username and IP (a locked-out try
    does not restart it: ``AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT``)."""
    cool_off = get_cool_off(request)
    attempts = AxesProxyHandler.get_implementation().get_user_attempts(request, credentials)
    latest = max(
        (found for qs in attempts if (found := qs.aggregate(at=Max("attempt_time"))["at"])),
        default=None,
    )
    if latest is None:
        return math.ceil(cool_off.total_seconds())
    return max(1, math.ceil((latest + cool_off - timezone.now()).total_seconds()))
