"""The editors' admin site: Django's, with failed logins slowed and then locked out."""

from django.contrib import admin
from django.template.response import TemplateResponse

from . import login_throttle
from .antispam import client_ip


class TipSiteAdminSite(admin.AdminSite):
    def login(self, request, extra_context=None):
        if request.method != "POST":
            return super().login(request, extra_context)
        ip, username = client_ip(request), request.POST.get("username", "")[:150]
        wait = login_throttle.wait_seconds(ip, username)
        if wait:
            response = TemplateResponse(
                request,
                "admin/login_throttled.html",
                {**self.each_context(request), "title": "Too many attempts", "wait": wait},
                status=429,
            )
            response["Retry-After"] = str(wait)
            return response
        response = super().login(request, extra_context)
        if request.user.is_authenticated and response.status_code == 302:
            login_throttle.clear(ip, username)
        else:
            login_throttle.record_failure(ip, username)
        return response
