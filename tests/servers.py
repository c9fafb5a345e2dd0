"""Live gunicorn servers for the tests that need real processes and sockets."""

import getpass
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
from pathlib import Path

from django.conf import settings
from django.db import connection

from tests.http_client import Browser

GUNICORN = os.path.join(os.path.dirname(sys.executable), "gunicorn")
NGINX = Path(os.environ.get("NGINX_PATH", "/usr/sbin/nginx"))
NGINX_CONFIG = Path(settings.BASE_DIR) / "deploy" / "nginx" / "tipsite.conf"


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
    env: dict,
    *,
    workers: int,
    threads: int = 1,
    access_log: Path | None = None,
    output: Path | None = None,
) -> tuple[subprocess.Popen, str]:
    """gunicorn serving the site on a free port with ``env``; stop it with ``stop()``.

    With ``access_log``, gunicorn writes each request there once it is answered, as
    ``<worker pid> <method> <path>?<query> <status>`` (see :func:`served`). With ``output``,
    the site's own log goes there: with ``LOG_LEVEL=INFO``, a line for each request written
    before it is answered (see :func:`requests_logged`)."""
    port = free_port()
    logging = []
    if access_log is not None:
        logging = ["--access-logfile", str(access_log), "--access-logformat", ACCESS_FORMAT]
    stdout = output.open("w") if output is not None else None
    process = subprocess.Popen(  # noqa: S603
        [GUNICORN, "tipsite.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", str(workers), "--threads", str(threads), "--timeout", "60", *logging],
        env=env, cwd=settings.BASE_DIR, stdout=stdout,
    )  # fmt: skip
    return process, f"http://127.0.0.1:{port}"


ACCESS_FORMAT = "%(p)s %(m)s %(U)s?%(q)s %(s)s"


def served(access_log: Path) -> list[tuple[str, str, str, str]]:
    """Every request in ``access_log`` so far, as (worker pid, method, address, status)."""
    if not access_log.exists():
        return []
    return [tuple(line.split(" ", 3)) for line in access_log.read_text().splitlines() if line]


def requests_logged(output: Path) -> list[dict]:
    """The site's request lines in ``output`` (tipsite.middleware.RequestLogMiddleware)."""
    return [
        json.loads(line.split("] ", 1)[1])
        for line in output.read_text().splitlines()
        if " tipsite.requests [" in line
    ]


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


def manage_py(env: dict, *args: str) -> None:
    """A management command in a process of its own, as an operator or a cron job runs it."""
    command = [sys.executable, "manage.py", *args]
    subprocess.run(command, env=env, cwd=settings.BASE_DIR, check=True)  # noqa: S603


def live_database_url() -> str:
    """The test database, for servers started by a test (``django_db(transaction=True)``)."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def render_nginx_config(tmp_path: Path, *, gunicorn_url: str, port: int, media: Path) -> Path:
    """The repository's server block with this test's ports and folders, inside a top-level
    configuration such as Debian's /etc/nginx/nginx.conf that includes it."""
    site = NGINX_CONFIG.read_text()
    for shipped, here in [
        ("server 127.0.0.1:8000;", f"server {gunicorn_url.removeprefix('http://')};"),
        ("listen 80;", f"listen 127.0.0.1:{port};"),
        ("/srv/tipsite/media/", f"{media}/"),
        ("/var/cache/nginx/tipsite", f"{tmp_path}/nginx-cache"),
    ]:
        assert shipped in site, f"deploy/nginx/tipsite.conf no longer has {shipped!r}"
        site = site.replace(shipped, here)
    (tmp_path / "tipsite.conf").write_text(site)
    temp = tmp_path / "nginx-temp"
    temp.mkdir()
    top = f"""
        user {getpass.getuser()};
        worker_processes 1;
        events {{ worker_connections 256; }}
        http {{
            include /etc/nginx/mime.types;
            access_log off;
            client_body_temp_path {temp}/body;
            proxy_temp_path {temp}/proxy;
            fastcgi_temp_path {temp}/fastcgi;
            uwsgi_temp_path {temp}/uwsgi;
            scgi_temp_path {temp}/scgi;
            include {tmp_path}/tipsite.conf;
        }}
    """
    (tmp_path / "nginx.conf").write_text(top)
    return tmp_path / "nginx.conf"


def start_nginx(tmp_path: Path, *, gunicorn_url: str, media: Path) -> tuple[subprocess.Popen, str]:
    """nginx from the repository's configuration in front of ``gunicorn_url``; ``stop()`` it."""
    port = free_port()
    conf = render_nginx_config(tmp_path, gunicorn_url=gunicorn_url, port=port, media=media)
    process = subprocess.Popen(  # noqa: S603
        [str(NGINX), "-p", str(tmp_path), "-c", str(conf),
         "-g", f"daemon off; pid {tmp_path}/nginx.pid; error_log {tmp_path}/error.log;"],
    )  # fmt: skip
    return process, f"http://127.0.0.1:{port}"
