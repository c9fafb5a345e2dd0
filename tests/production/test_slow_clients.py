"""Clients that send their request slowly cannot stall the site behind the shipped nginx.

gunicorn's sync workers each serve one request at a time: a client that announces a large body
and sends a few bytes holds a worker until it gives up. nginx, configured by
``deploy/nginx/tipsite.conf``, reads whole requests before passing them on, so the workers stay
free for everyone else.
"""

import os
import shutil
import socket
from pathlib import Path

import pytest
from django.conf import settings

from tests.http_client import Browser
from tests.servers import NGINX, manage_py, start_gunicorn, start_nginx, stop, wait_until_answering
from tests.tools import require

WORKERS = 2
SLOW_CLIENTS = 6
SLOW_REQUEST = (
    b"POST /request-a-tip/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 2000000\r\n\r\n"
    b"question=w"
)


@pytest.fixture
def gunicorn(tmp_path):
    """The site under gunicorn with the production settings and two sync workers."""
    env = {
        **{name: value for name, value in os.environ.items() if name != "REDIS_URL"},
        "DJANGO_SETTINGS_MODULE": "tipsite.settings.production",
        "SECRET_KEY": "slow-clients-test-" + "k" * 40,
        "ALLOWED_HOSTS": "127.0.0.1",
        "HTTPS": "false",
        # /healthz asks the database for SELECT 1 and the cache, a table in it: a SQLite file
        # with only that table answers both.
        "DATABASE_URL": f"sqlite:///{tmp_path / 'site.sqlite3'}",
        "STATIC_ROOT": str(tmp_path / "static"),
        "TRUSTED_PROXIES": "1",
        "LOG_LEVEL": "WARNING",
    }
    manage_py(env, "createcachetable")
    process, url = start_gunicorn(env, workers=WORKERS)
    try:
        wait_until_answering(url)
        yield url
    finally:
        stop(process)


@pytest.fixture
def nginx(tmp_path, gunicorn):
    """nginx from the repository's configuration, in front of ``gunicorn``."""
    require(NGINX.exists(), f"nginx ({NGINX})", "apt-get install -y nginx")
    media = tmp_path / "media"
    (media / "gurus").mkdir(parents=True)
    shutil.copy(Path(settings.BASE_DIR) / "static" / "img" / "favicon.svg", media / "gurus")
    process, url = start_nginx(tmp_path, gunicorn_url=gunicorn, media=media)
    try:
        wait_until_answering(url, seconds=10)
        yield url
    finally:
        stop(process)


def slow_clients(url: str) -> list[socket.socket]:
    """Clients that announce a 2 MB body, send ten bytes of it and then nothing."""
    host, port = url.removeprefix("http://").split(":")
    clients = []
    for _ in range(SLOW_CLIENTS):
        client = socket.create_connection((host, int(port)))
        client.sendall(SLOW_REQUEST)
        clients.append(client)
    return clients


def healthz_within_3_seconds(url: str) -> int | None:
    """The status of /healthz, or None when the site has not answered after 3 s."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=3) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        try:
            return int(sock.recv(64).split()[1])
        except TimeoutError:
            return None


def test_behind_nginx_slow_bodies_leave_the_workers_free(nginx):
    clients = slow_clients(nginx)
    try:
        assert healthz_within_3_seconds(nginx) == 200
        assert healthz_within_3_seconds(nginx) == 200
    finally:
        for client in clients:
            client.close()


def test_facing_clients_directly_gunicorn_is_stalled_by_slow_bodies(gunicorn):
    """Why the proxy is there: the same clients sent straight to gunicorn hold every worker."""
    clients = slow_clients(gunicorn)
    try:
        assert healthz_within_3_seconds(gunicorn) is None
    finally:
        for client in clients:
            client.close()


def test_nginx_gives_each_request_its_id_and_serves_uploads_itself(nginx):
    health = Browser(nginx, headers={"X-Request-ID": "chosen-by-the-client"}).get("/healthz")
    assert health.status == 200
    assert len(health.headers["X-Request-ID"]) == 32, "nginx's own request id reaches the site"
    upload = Browser(nginx).get("/media/gurus/favicon.svg")
    assert upload.status == 200
    assert upload.headers["X-Content-Type-Options"] == "nosniff"
    assert upload.headers["Server"] == "nginx", "without its version"
