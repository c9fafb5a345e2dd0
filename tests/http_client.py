"""A small HTTP client for tests that talk to real servers (live server, gunicorn)."""

import http.cookiejar
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@dataclass
class Reply:
    status: int
    headers: dict
    text: str

    def field(self, name: str) -> str:
        """The value of a hidden form field (CSRF token, form time) on this page."""
        match = re.search(rf'name="{re.escape(name)}" value="([^"]*)"', self.text)
        assert match, f"no {name} field on the page"
        return match.group(1)


class Browser:
    """Keeps cookies like a browser and does not follow redirects, so tests see each answer."""

    def __init__(self, base_url: str, headers: dict | None = None):
        self.base_url = base_url.rstrip("/")
        self.headers = headers or {}
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirect
        )

    def request(self, path: str, data: bytes | None = None, headers: dict | None = None) -> Reply:
        url = path if path.startswith("http") else self.base_url + path
        request = urllib.request.Request(
            url, data=data, headers={**self.headers, **(headers or {})}
        )
        try:
            with self.opener.open(request, timeout=60) as response:
                body = response.read()
                return Reply(response.status, dict(response.headers), body.decode(errors="replace"))
        except urllib.error.HTTPError as error:
            body = error.read()
            return Reply(error.code, dict(error.headers), body.decode(errors="replace"))

    def get(self, path: str) -> Reply:
        return self.request(path)

    def csrf_token(self, page: Reply) -> str:
        """The page's CSRF token; for a page from the cache, which has none, this reader's own,
        asked for as the page's script does."""
        return (
            page.field("csrfmiddlewaretoken") or json.loads(self.get("/forms/token/").text)["csrf"]
        )

    def post(self, path: str, fields: dict, referer: str | None = None) -> Reply:
        headers = {"Referer": self.base_url + (referer or path)}
        return self.request(path, urllib.parse.urlencode(fields).encode(), headers)

    def post_multipart(self, path: str, body: bytes, content_type: str) -> Reply:
        headers = {"Referer": self.base_url + path, "Content-Type": content_type}
        return self.request(path, body, headers)


def post_comment(base_url: str, tip, n: int, headers: dict | None = None) -> int:
    """One reader: load the tip page (cookie, CSRF token, form time), then post comment ``n``."""
    reader = Browser(base_url, headers=headers)
    page = reader.get(tip.get_absolute_url())
    fields = {
        "csrfmiddlewaretoken": reader.csrf_token(page),
        "issued": page.field("issued"),
        "homepage": "",
        "name": f"Reader {n}",
        "email": f"reader{n}@example.com",
        "url": "",
        "body": f"Comment {n}: this worked for me.",
    }
    return reader.post(f"/tips/{tip.pk}/comment/", fields, referer=tip.get_absolute_url()).status
