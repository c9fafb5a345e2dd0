"""`make bench`: generate the network, serve it the production way beside a stock Django
project, and load both in one run.

    .venv/bin/python bench/suite.py --size quick|full [--skip-generate]

Uses $DATABASE_URL when set (PostgreSQL), else bench/data/bench.sqlite3, and Redis at $REDIS_URL
(or 127.0.0.1:6379 when it answers) for the cache. It loads the network, counts each page's
queries on a 100-tip network beside it (bench/queries.py), then starts two gunicorns with the
same worker settings: TipSite with bench/settings.py (production settings plus the benchmark's
addresses) and the stock project of bench/stock/; runs bench/run.py against both and stops
them. The table lands in bench/results/.
"""

import argparse
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BENCH_DIR.parent
PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).with_name("gunicorn"))
PORT, STOCK_PORT = 8787, 8788
# The production defaults, unless the caller sets them (to weigh a cache layer: with
# PAGE_CACHE_RECHECK_SECONDS=0 the workers keep no copies, with PAGE_CACHE_SECONDS=0 nothing
# is cached); the runner is told how long the workers keep pages.
RECHECK_SECONDS = os.environ.get("PAGE_CACHE_RECHECK_SECONDS", "1")
PAGE_CACHE_SECONDS = os.environ.get("PAGE_CACHE_SECONDS", "600")


def redis_url() -> str:
    if os.environ.get("REDIS_URL"):
        return os.environ["REDIS_URL"]
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
    except OSError:
        return ""  # no Redis: the production settings' cache in the database
    return "redis://127.0.0.1:6379/14"


def server_env(database_url: str, redis: str, prefix: str, static_root: str) -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "HTTPS": "false",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis,
        "CACHE_KEY_PREFIX": prefix,
        "STATIC_ROOT": static_root,
        # The comment-post load is one visitor posting fast: lift the human-speed limits.
        "FLOOD_INTERVAL_SECONDS": "0",
        "FLOOD_PER_HOUR": "0",
        "ANTISPAM_MIN_SECONDS": "0",
        "ANTISPAM_MAX_AGE_SECONDS": "86400",
        "COMMENTS_MODERATION": "none",
        "PAGE_CACHE_SECONDS": PAGE_CACHE_SECONDS,
        "PAGE_CACHE_RECHECK_SECONDS": RECHECK_SECONDS,
        "LOG_LEVEL": "WARNING",
    }


def wait_until_up(url: str, path: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + path, timeout=5):  # noqa: S310
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"gunicorn did not answer on {url}")


def gunicorn(app: str, port: int, workers: int, env: dict) -> subprocess.Popen:
    """One server, with the worker settings both servers of a run share."""
    return subprocess.Popen(  # noqa: S603
        [GUNICORN, app, "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
         "--timeout", "120", "--log-level", "warning"],
        env=env, cwd=PROJECT_DIR,
    )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", choices=["quick", "full"], default="quick")
    parser.add_argument("--skip-generate", action="store_true", help="reuse the loaded network")
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 1) * 2 + 1)
    parser.add_argument("--duration", type=int, help="seconds per row")
    args = parser.parse_args()
    started = time.monotonic()
    database_url = os.environ.get("DATABASE_URL") or (
        f"sqlite:///{BENCH_DIR / 'data' / 'bench.sqlite3'}"
    )
    (BENCH_DIR / "data").mkdir(exist_ok=True)
    env = {**os.environ, "DATABASE_URL": database_url}
    if not args.skip_generate:
        generate = [PYTHON, str(BENCH_DIR / "generate.py"), "--size", args.size]
        subprocess.run(generate, env=env, check=True)  # noqa: S603
    redis = redis_url()
    prefix = f"bench-{time.time()}"
    small = BENCH_DIR / "data" / "queries-100.json"
    count = [PYTHON, str(BENCH_DIR / "queries.py"), "--like", database_url, "--out", str(small)]
    # Counted with the cache the server will use, so cache queries count alike on both sides.
    count_env = {**env, "REDIS_URL": redis, "CACHE_KEY_PREFIX": f"{prefix}-queries"}
    subprocess.run(count, env=count_env, check=True)  # noqa: S603

    static_root = tempfile.mkdtemp(prefix="tipsite-bench-static-")
    url, stock_url = f"http://127.0.0.1:{PORT}", f"http://127.0.0.1:{STOCK_PORT}"
    environment = server_env(database_url, redis, prefix, static_root)
    subprocess.run(  # noqa: S603
        [PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"],
        env=environment, cwd=PROJECT_DIR, check=True,
    )  # fmt: skip
    stock_env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.stock.settings"}
    servers = [
        gunicorn("tipsite.wsgi:application", PORT, args.workers, environment),
        gunicorn("bench.stock.wsgi:application", STOCK_PORT, args.workers, stock_env),
    ]
    try:
        wait_until_up(url, "/bench/baseline/")
        wait_until_up(stock_url, "/ok/")
        command = [PYTHON, str(BENCH_DIR / "run.py"), "--url", url, "--stock-url", stock_url,
                   "--pid", str(servers[0].pid), "--stock-pid", str(servers[1].pid),
                   "--database-url", database_url, "--redis-url", redis,
                   "--cache-prefix", prefix, "--recheck-seconds", RECHECK_SECONDS,
                   "--page-cache-seconds", PAGE_CACHE_SECONDS,
                   "--small-queries", str(small)]  # fmt: skip
        if args.duration:
            command += ["--duration", str(args.duration)]
        subprocess.run(command, env=env, cwd=PROJECT_DIR, check=True)  # noqa: S603
    finally:
        for server in servers:
            server.send_signal(signal.SIGTERM)
        for server in servers:
            server.wait(timeout=60)
    print(f"make bench took {time.monotonic() - started:.0f} s", flush=True)


if __name__ == "__main__":
    main()
