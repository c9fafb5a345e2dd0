"""Two gunicorn servers sharing one PostgreSQL, one Redis and one media folder.

Runs where PostgreSQL and Redis are reachable (CI's PostgreSQL pass); skipped on SQLite.
"""

import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.conf import settings
from django.db import connection
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

from comments.models import Comment
from tests.factories import EDITOR_PASSWORD, image_upload, make_editor, make_tip
from tests.http_client import Browser, post_comment
from tests.servers import start_gunicorn, stop, wait_until_answering
from tips.models import Tip

pytestmark = pytest.mark.django_db(transaction=True)
POSTS = 200
# How long a worker serves a page it has just served again without asking Redis.
RECHECK_SECONDS = 0.5


@pytest.fixture
def servers(tmp_path):
    if connection.vendor != "postgresql" or not os.environ.get("REDIS_URL"):
        pytest.skip("needs PostgreSQL (DATABASE_URL) and Redis (REDIS_URL)")
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tipsite.settings.production",
        "SECRET_KEY": "two-servers-test-" + "k" * 40,
        "ALLOWED_HOSTS": "127.0.0.1",
        "HTTPS": "false",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "CACHE_KEY_PREFIX": f"two-servers-{os.getpid()}-{time.time()}",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "STATIC_ROOT": str(tmp_path / "static"),
        "SERVE_MEDIA": "true",
        "TRUSTED_PROXIES": "1",
        "ANTISPAM_MIN_SECONDS": "0",
        "COMMENTS_MODERATION": "none",
        "PAGE_CACHE_RECHECK_SECONDS": str(RECHECK_SECONDS),
        "LOG_LEVEL": "WARNING",
    }
    python = sys.executable
    subprocess.run(  # noqa: S603
        [python, "manage.py", "collectstatic", "--noinput", "-v0"],
        env=env, cwd=settings.BASE_DIR, check=True,
    )  # fmt: skip
    started = [start_gunicorn(env, workers=3, threads=4) for _ in range(2)]
    processes = [process for process, _ in started]
    urls = [url for _, url in started]
    try:
        wait_until_answering(*urls)
        yield urls
    finally:
        stop(*processes)


def admin_login(url: str) -> Browser:
    editor = Browser(url)
    page = editor.get("/admin/login/")
    reply = editor.post(
        "/admin/login/",
        {"csrfmiddlewaretoken": page.field("csrfmiddlewaretoken"), "username": "editor",
         "password": EDITOR_PASSWORD, "next": "/admin/"},
    )  # fmt: skip
    assert reply.status == 302, reply.text[:500]
    return editor


def admin_action(editor: Browser, model: str, action: str, pk: int) -> None:
    changelist = f"/admin/{model}/"
    page = editor.get(changelist)
    reply = editor.post(
        changelist,
        {"csrfmiddlewaretoken": page.field("csrfmiddlewaretoken"), "action": action,
         "_selected_action": pk, "index": "0"},
    )  # fmt: skip
    assert reply.status == 302, reply.text[:500]


def post_from(url: str, tip: Tip, n: int) -> int:
    """Comment ``n`` from its own visitor address, as the proxy in front would report it."""
    return post_comment(url, tip, n, headers={"X-Forwarded-For": f"10.9.{n // 250}.{n % 250 + 1}"})


def test_two_servers_share_content_caches_limits_and_media(servers, settings):
    a, b = servers
    # The servers run production settings, which verify only the standard password hashers.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    make_editor()
    editor = admin_login(a)

    # An editor publishes on A; a reader on B sees it as soon as B's copy of the page runs out.
    tip = make_tip(title="Shared Across Servers", status=Tip.Status.DRAFT)
    listing = tip.category.get_absolute_url()
    reader = Browser(b)
    assert "Shared Across Servers" not in reader.get(listing).text
    assert reader.get(listing).headers["X-Page-Cache"] == "hit"
    admin_action(editor, "tips/tip", "publish_now", tip.pk)
    time.sleep(RECHECK_SECONDS)
    assert "Shared Across Servers" in reader.get(listing).text
    assert reader.get(tip.get_absolute_url()).status == 200

    # A comment approved on A shows on B, as soon as B's copy of the tip's page runs out.
    comment = Comment.objects.create(
        tip=tip, name="Held Hanna", email="h@example.com", body="Waiting for approval."
    )
    assert "Waiting for approval." not in reader.get(tip.get_absolute_url()).text
    admin_action(editor, "comments/comment", "approve", comment.pk)
    time.sleep(RECHECK_SECONDS)
    assert "Waiting for approval." in reader.get(tip.get_absolute_url()).text

    # Rate limits count across A and B: the same visitor, a second post, on the other server.
    assert post_from(a, tip, 9999) == 302
    assert post_from(b, tip, 9999) == 429

    # An image uploaded through A is served by B.
    page = editor.get("/admin/tips/guru/add/")
    body = encode_multipart(
        BOUNDARY,
        {"csrfmiddlewaretoken": page.field("csrfmiddlewaretoken"), "name": "Pia Photo",
         "slug": "pia-photo", "bio": "", "website": "", "photo": image_upload(size=(400, 400))},
    )  # fmt: skip
    assert editor.post_multipart("/admin/tips/guru/add/", body, MULTIPART_CONTENT).status == 302
    photo = Browser(b).get("/media/gurus/pia-photo.jpg")
    assert photo.status == 200
    assert photo.headers["Content-Type"] == "image/jpeg"


def test_200_concurrent_comments_over_both_servers_are_each_stored_once(servers):
    tip = make_tip()
    with ThreadPoolExecutor(max_workers=16) as pool:
        statuses = list(pool.map(lambda n: post_from(servers[n % 2], tip, n), range(POSTS)))
    assert all(status < 500 for status in statuses), statuses
    accepted = statuses.count(302)
    assert accepted == POSTS
    assert Comment.objects.filter(tip=tip).count() == accepted
    assert Comment.objects.filter(tip=tip).values("email").distinct().count() == accepted
    tip.refresh_from_db()
    assert tip.comment_count == accepted
