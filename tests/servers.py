"""Live gunicorn servers for the tests that need real processes and sockets."""

import os
import socket
import subprocess
import sys
import time
import urllib.error
from pathlib import Path

from django.conf import settings

from tests.http_client import Browser

GUNICORN = os.path.join(os.path.dirname(sys.executable), "gunicorn")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def answers(url: str) -> bool:
    try:
        return Browser(url).get("/healthz").status == 200
    except urllib.error.URLError:
        return False  # not listening yet


def start_gunicorn(
    env: dict, *, workers: int, threads: int = 1, access_log: Path | None = None
) -> tuple[subprocess.Popen, str]:
    """gunicorn serving the site on a free port with ``env``; stop it with ``stop()``.

    With ``access_log``, each request is written there as ``<worker pid> <method> <path>?<query>
    <status>`` (see :func:`served`)."""
    port = free_port()
    logging = []
    if access_log is not None:
        logging = ["--access-logfile", str(access_log), "--access-logformat", ACCESS_FORMAT]
    process = subprocess.Popen(  # noqa: S603
        [GUNICORN, "tipsite.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", str(workers), "--threads", str(threads), "--timeout", "60", *logging],
        env=env, cwd=settings.BASE_DIR,
    )  # fmt: skip
    return process, f"http://127.0.0.1:{port}"


ACCESS_FORMAT = "%(p)s %(m)s %(U)s?%(q)s %(s)s"


def served(access_log: Path) -> list[tuple[str, str, str, str]]:
    """Every request in ``access_log`` so far, as (worker pid, method, address, status)."""
    if not access_log.exists():
        return []
    return [tuple(line.split(" ", 3)) for line in access_log.read_text().splitlines() if line]


def wait_until_answering(*urls: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    for url in urls:
        while not answers(url):
            assert time.monotonic() < deadline, f"{url} did not start"
            time.sleep(0.2)


def stop(*processes: subprocess.Popen) -> None:
    for process in processes:
        process.terminate()
    for process in processes:
        process.wait(timeout=20)
