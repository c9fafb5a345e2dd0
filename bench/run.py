"""Load a running TipSite with wrk and write one Markdown table per run.

    .venv/bin/python bench/run.py --url http://127.0.0.1:8787 --cache cold|warm [--pid N]
        [--redis-url URL --cache-prefix PREFIX] [--small-queries FILE]

The pages come from bench/last_run.json (bench/generate.py writes it); the server must serve
that data set. Two ways to run (see bench/README.md):

- cold: the server's cache is emptied before every measurement. Each page is first rendered
  alone several times, each time after emptying the cache (its render time and queries); then
  wrk loads it starting from an empty cache, so the first requests render and the rest are
  served from what the site caches as it goes, as after a deploy or a flush.
- warm: each page is fetched twice first, so the load reads it from the cache.

Every row is compared with the bare baseline view measured by wrk just before it, at the same
concurrency: the machine's speed drifts over a run, the ratio does not. A comment post comes
last, because stored comments start new page versions.
"""

import argparse
import collections
import datetime
import gzip
import http.client
import json
import math
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BENCH_DIR.parent
DEFAULT_MANIFEST = BENCH_DIR / "last_run.json"
DEFAULT_DATABASE_URL = f"sqlite:///{BENCH_DIR / 'data' / 'bench.sqlite3'}"
LATENCY_LUA = BENCH_DIR / "latency.lua"
POST_LUA = BENCH_DIR / "post_comment.lua"
BASELINE_PATH = "/bench/baseline/"
# Production runs behind a TLS-terminating proxy that says so in X-Forwarded-Proto; sending it
# lets production settings serve plain HTTP here as they would there (no redirect to https://,
# and CSRF checks the Referer as on a secure site). Browsers and crawlers accept gzip.
CLIENT_HEADERS = {"X-Forwarded-Proto": "https", "Accept-Encoding": "gzip"}
BENCH_LINE = re.compile(r"^BENCH (.*)$", re.MULTILINE)
HISTOGRAM_LINE = re.compile(r"^BENCHHIST ?(.*)$", re.MULTILINE)
FORM_TOKEN_PATH = "/forms/token/"  # noqa: S105 - an address, not a secret
FORM_FIELD = re.compile(r'name="(csrfmiddlewaretoken|issued)" value="([^"]*)"')
LOC = re.compile(r"<loc>([^<]*)</loc>")
MIB = 1024 * 1024
SITEMAP_LIMIT = 50_000  # URLs per file at most, as the sitemap protocol requires

# What the issue asks of the site (see bench/README.md); the checks below each table use them.
TARGET_CONCURRENCY = 8
COLD_RATIO, WARM_RATIO, P95_MS = 0.40, 0.80, 50.0
DEEP_PAGE_FACTOR, SEARCH_P95_MS = 1.5, 100.0
POST_CONCURRENCY, POSTS_PER_SECOND = 16, 200.0
WORKER_RSS_MIB = 150

PRESETS = {
    # baseline: seconds of the bare view before each row and, in a full run, after it too.
    "full": {"levels": "1,8,32", "post_levels": "1,8,16,32", "duration": 5, "baseline": 1},
    "quick": {"levels": "8", "post_levels": "16", "duration": 1, "baseline": 1},
}
RENDERS = {"full": 7, "quick": 3}
BASELINE_AFTER = {"full": True, "quick": False}
# Warm rows of a full run: the page in one-second turns, each between one-second baselines.
# A cached page costs about what the bare view does, and this machine's speed drifts within
# seconds: a five-second row between two baselines could land on either side of 0.80.
WARM_TURNS = {"full": 3, "quick": 1}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--url", required=True, help="the running server, e.g. http://127.0.0.1:8000"
    )
    parser.add_argument("--manifest", type=Path, default=DEFAULT_MANIFEST)
    parser.add_argument("--cache", choices=["cold", "warm"], default="warm")
    parser.add_argument("--levels", help="page concurrency levels, commas (preset: 1,8,32)")
    parser.add_argument("--post-levels", help="comment post levels, commas (preset: 1,8,16,32)")
    parser.add_argument("--duration", type=int, help="seconds per row (preset: 5; quick 1)")
    parser.add_argument("--baseline-duration", type=int, help="seconds of baseline per row")
    parser.add_argument("--pid", type=int, help="gunicorn master PID (default: who listens)")
    parser.add_argument(
        "--redis-url", default="", help="the server's Redis, to empty its cache (cold runs)"
    )
    parser.add_argument("--cache-prefix", default="", help="the server's CACHE_KEY_PREFIX")
    parser.add_argument(
        "--recheck-seconds", type=float, default=1.0,
        help="the server's PAGE_CACHE_RECHECK_SECONDS: how long its workers keep what they served",
    )  # fmt: skip
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL,
        help="to count stored comments (default: $DATABASE_URL, else the bench SQLite file)",
    )
    parser.add_argument(
        "--small-queries", type=Path, help="queries per page on a small network (queries.py)"
    )
    parser.add_argument("--pages", help="only pages whose names contain one of these (commas)")
    parser.add_argument("--no-post", action="store_true", help="skip the comment post")
    parser.add_argument("--timeout", type=int, default=60, help="wrk's per-request timeout, s")
    parser.add_argument("--results-dir", type=Path, default=BENCH_DIR / "results")
    return parser.parse_args()


@dataclass
class Fetched:
    status: int
    headers: http.client.HTTPMessage
    body: str
    ms: float


def fetch(
    base: str, path: str, *, method: str = "GET", form: str = "", headers=None, timeout=60
) -> Fetched:
    """One request, redirects not followed: the benchmark wants to see them."""
    url = urlsplit(base)
    conn = http.client.HTTPConnection(url.hostname, url.port or 80, timeout=timeout)
    started = time.perf_counter()
    try:
        conn.request(method, path, body=form or None, headers={**CLIENT_HEADERS, **(headers or {})})
        response = conn.getresponse()
        raw = response.read()
        if response.headers.get("Content-Encoding") == "gzip":
            raw = gzip.decompress(raw)
        body = raw.decode("utf-8", "replace")
    finally:
        conn.close()
    return Fetched(response.status, response.headers, body, (time.perf_counter() - started) * 1000)


@dataclass
class Result:
    page: str
    concurrency: int
    rps: float
    p50: float
    p95: float
    p99: float
    errors: int
    baseline_rps: float
    queries: str
    rss: str
    extra: dict

    @property
    def ratio(self) -> float | None:
        return self.rps / self.baseline_rps if self.baseline_rps else None


@dataclass
class Render:
    """A page rendered alone: from an empty cache (cold) or from the cache (warm)."""

    ms: float
    queries: str
    status: int
    cache: str


class Wrk:
    def __init__(self, base: str, timeout: int):
        self.path = shutil.which("wrk")
        if not self.path:
            sys.exit("wrk is not installed: sudo apt-get install -y wrk")
        self.base = base.rstrip("/")
        self.timeout = timeout
        # S603: the commands below run wrk with arguments this script builds, no shell.
        version = subprocess.run([self.path, "-v"], capture_output=True, text=True, check=False)  # noqa: S603
        self.version = (version.stdout or version.stderr).split(" [")[0]

    def run(
        self,
        path: str,
        concurrency: int,
        seconds: int,
        *,
        script: Path = LATENCY_LUA,
        args=(),
        headers=None,
        histogram: bool = False,
    ) -> dict:
        """wrk's numbers for one run; with ``histogram``, every latency it saw as well."""
        threads = min(concurrency, os.cpu_count() or 1)
        command = [self.path, f"-t{threads}", f"-c{concurrency}", f"-d{seconds}s"]
        command += [f"--timeout={self.timeout}s", "-s", str(script)]
        for name, value in {**CLIENT_HEADERS, **(headers or {})}.items():
            command += ["-H", f"{name}: {value}"]
        command.append(self.base + path)
        if args:
            command += ["--", *args]
        env = {**os.environ, "BENCH_HISTOGRAM": "1" if histogram else ""}
        done = subprocess.run(command, capture_output=True, text=True, check=False, env=env)  # noqa: S603
        match = BENCH_LINE.search(done.stdout)
        if done.returncode or not match:
            sys.exit(f"wrk failed on {path}:\n{done.stdout}\n{done.stderr}")
        numbers = parse_bench_line(match[1])
        if histogram:
            found = HISTOGRAM_LINE.search(done.stdout)
            numbers["histogram"] = parse_histogram(found[1] if found else "")
        return numbers


ERROR_KINDS = ("connect", "read", "write", "status", "timeout")


def parse_bench_line(line: str) -> dict:
    """The numbers of latency.lua's "BENCH key=value ..." line, with req/s and errors added."""
    return _with_rates({key: int(value) for key, value in re.findall(r"(\w+)=(\d+)", line)})


def _with_rates(numbers: dict) -> dict:
    seconds = numbers["duration_us"] / 1e6
    numbers["rps"] = numbers["requests"] / seconds if seconds else 0.0
    numbers["errors"] = sum(numbers[k] for k in ERROR_KINDS)
    return numbers


def parse_histogram(line: str) -> collections.Counter:
    """latency.lua's "BENCHHIST µs:count ..." line: how many answers took each time."""
    return collections.Counter(
        {int(us): int(count) for us, count in (pair.split(":") for pair in line.split())}
    )


def percentile(histogram: collections.Counter, p: float) -> int:
    """The ``p``-th percentile of a latency histogram, ranked as wrk ranks its own."""
    rank = math.floor(p / 100 * histogram.total() + 0.5 + 0.5)  # wrk: round(p / 100 × n + 0.5)
    seen = 0
    for us in sorted(histogram):
        seen += histogram[us]
        if seen >= rank:
            return us
    return 0


def merge_turns(turns: list[dict]) -> dict:
    """Several wrk runs of one page as one: counts and times added, percentiles of them all."""
    merged = {
        key: sum(turn[key] for turn in turns) for key in ("requests", "duration_us", *ERROR_KINDS)
    }
    histogram = sum((turn["histogram"] for turn in turns), collections.Counter())
    for p in (50, 95, 99):
        merged[f"p{p}_us"] = percentile(histogram, p)
    merged["max_us"] = max(turn["max_us"] for turn in turns)
    return _with_rates(merged)


class Workers:
    """The server's worker processes, read from /proc: their memory, CPU time and restarts."""

    def __init__(self, base: str, master: int | None):
        self.port = urlsplit(base).port or 80
        self.master = master

    def pids(self) -> list[int]:
        if self.master:
            return _children(self.master) or [self.master]
        # Without a PID: whoever listens on the port. Gunicorn's master and workers all hold
        # the listening socket; the workers are the ones whose parent is in that set.
        listening = _listening_pids(self.port)
        workers = [pid for pid in listening if _parent(pid) in listening]
        return workers or listening

    def memory(self) -> tuple[int, int, int]:
        """(processes, sum, max) of resident set sizes in bytes."""
        sizes = [_rss(pid) for pid in self.pids()]
        sizes = [size for size in sizes if size]
        return len(sizes), sum(sizes), max(sizes, default=0)

    def cpu_seconds(self) -> float:
        return sum(_cpu_ticks(pid) for pid in self.pids()) / os.sysconf("SC_CLK_TCK")

    def wait_idle(self, *, window: float = 0.25, limit: float = 120.0) -> None:
        """Wait until the server stops using CPU (under 5% of one core over ``window``).

        wrk stops without waiting for the answers in flight; a slow page's leftover requests
        would otherwise still run during the next measurement.
        """
        deadline = time.monotonic() + limit
        last = self.cpu_seconds()
        while time.monotonic() < deadline:
            time.sleep(window)
            now = self.cpu_seconds()
            if now - last < 0.05 * window:
                return
            last = now

    def describe(self) -> str:
        count, total, largest = self.memory()
        if not count:
            return "n/a"
        return f"{total / MIB:.0f} / {largest / MIB:.0f}"


def _rss(pid: int) -> int:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    match = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
    return int(match[1]) * 1024 if match else 0


def _stat(pid: int) -> list[str]:
    """/proc/<pid>/stat's fields after the command name (which may contain spaces)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return []


def _parent(pid: int) -> int:
    fields = _stat(pid)
    return int(fields[1]) if fields else 0


def _cpu_ticks(pid: int) -> int:
    fields = _stat(pid)
    return int(fields[11]) + int(fields[12]) if fields else 0  # utime + stime


def _all_pids() -> list[int]:
    return [int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit()]


def _children(pid: int) -> list[int]:
    return [child for child in _all_pids() if _parent(child) == pid]


def _listening_pids(port: int) -> list[int]:
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            local, state, inode = fields[1], fields[3], fields[9]
            if state == "0A" and int(local.rsplit(":", 1)[1], 16) == port:  # 0A: LISTEN
                inodes.add(f"socket:[{inode}]")
    found = []
    for pid in _all_pids():
        try:
            fds = list(Path(f"/proc/{pid}/fd").iterdir())
        except OSError:
            continue
        for fd in fds:
            try:
                if os.readlink(fd) in inodes:
                    found.append(pid)
                    break
            except OSError:
                continue
    return found


class CacheReset:
    """Empties the server's cache, for cold measurements.

    With Redis, deletes the keys under the server's prefix (nothing else in that Redis); each
    worker still serves what it kept of a page it served from the cache for ``recheck`` seconds
    more, so a measurement of a page loaded moments ago first waits for that (:meth:`settle`).
    Without Redis each worker keeps its own memory cache, so the workers are replaced (SIGHUP
    to gunicorn).
    """

    def __init__(
        self, base: str, workers: Workers, redis_url: str, prefix: str, recheck: float = 0.0
    ):
        self.base = base
        self.workers = workers
        self.redis_url = redis_url
        self.prefix = prefix
        self.recheck = recheck
        self.loaded_at: dict[str, float] = {}
        if redis_url and not prefix:
            sys.exit("--redis-url needs --cache-prefix (the server's CACHE_KEY_PREFIX)")
        if not redis_url and not workers.master:
            sys.exit("a cold run without --redis-url needs --pid, to restart the workers")

    def __call__(self) -> None:
        # Requests still in flight from the last row would otherwise refill the cache (and be
        # the ones that pay for it) between the flush and the next measurement.
        self.workers.wait_idle()
        if self.redis_url:
            import redis

            client = redis.Redis.from_url(self.redis_url)
            batch = []
            for key in client.scan_iter(match=f"{self.prefix}:*", count=1000):
                batch.append(key)
                if len(batch) == 1000:
                    client.delete(*batch)
                    batch = []
            if batch:
                client.delete(*batch)
            return
        before = set(self.workers.pids())
        os.kill(self.workers.master, signal.SIGHUP)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            now = set(self.workers.pids())
            if len(now) >= len(before) and not now & before:
                break
            time.sleep(0.1)
        self.workers.wait_idle()

    def loaded(self, path: str) -> None:
        """Note that ``path`` was just loaded: the workers keep copies of it for a while (of
        the answers still in flight when wrk stopped too, which the idle waits before the next
        measurement outlast)."""
        self.loaded_at[path] = time.monotonic()

    def settle(self, path: str) -> None:
        """Wait until no worker serves a copy of ``path`` it kept from before the emptying."""
        if path in self.loaded_at:
            time.sleep(max(0.0, self.loaded_at[path] + self.recheck - time.monotonic()))


def render_alone(args, path: str, reset: CacheReset | None, times: int) -> Render | None:
    """Fetch a page alone ``times`` times: after emptying the cache (cold) or after a warm-up.

    The median time; the queries and cache state of the first. None if it did not answer.
    """
    try:
        if reset is None:
            fetch(args.url, path, timeout=args.timeout)
        fetched = []
        for _ in range(times):
            if reset is not None:
                reset()
                reset.settle(path)
            fetched.append(fetch(args.url, path, timeout=args.timeout))
    except TimeoutError:
        return None
    first = fetched[0]
    return Render(
        ms=statistics.median(f.ms for f in fetched),
        queries=first.headers.get("X-DB-Queries", "n/a"),
        status=first.status,
        cache=first.headers.get("X-Page-Cache", "none"),
    )


def load_pages(args, run, wrk: Wrk, workers: Workers, reset: CacheReset | None) -> list[Result]:
    results = []
    for page in run.pages:
        render = render_alone(args, page["path"], reset, run.renders if reset else 1)
        if render is None:
            print(f"{page['name']}: no answer in {args.timeout} s, not loaded", flush=True)
            run.notes.append(f"{page['name']} ({page['path']}): no answer in {args.timeout} s.")
            workers.wait_idle()
            continue
        run.renders_by_page[page["name"]] = render
        print(
            f"{page['name']}: HTTP {render.status} in {render.ms:.0f} ms, {render.queries} "
            f"queries, page cache {render.cache}",
            flush=True,
        )
        if render.status != 200:
            run.notes.append(f"{page['name']} ({page['path']}) answered HTTP {render.status}.")
        path = page["path"]
        for concurrency in run.levels:
            if reset is not None:
                reset()  # first: the workers' copies run out while the baseline is measured
                baseline = measure_baseline(run, wrk, workers, concurrency)
                reset.settle(path)
                numbers, baseline = one_run(run, wrk, workers, path, concurrency, baseline)
                reset.loaded(path)
            elif run.turns > 1:
                fetch(args.url, path, timeout=args.timeout)
                numbers, baseline = in_turns(run, wrk, workers, path, concurrency)
            else:
                baseline = measure_baseline(run, wrk, workers, concurrency)
                fetch(args.url, path, timeout=args.timeout)
                numbers, baseline = one_run(run, wrk, workers, path, concurrency, baseline)
            results.append(
                _result(page["name"], concurrency, numbers, baseline, render.queries, workers)
            )
    return results


def measure_baseline(
    run, wrk: Wrk, workers: Workers, concurrency: int, seconds: int | None = None
) -> float:
    workers.wait_idle()
    numbers = wrk.run(BASELINE_PATH, concurrency, seconds or run.baseline_duration)
    run.baselines.append((concurrency, numbers["rps"]))
    return numbers["rps"]


def one_run(
    run, wrk: Wrk, workers: Workers, path: str, concurrency: int, before: float
) -> tuple[dict, float]:
    """The page in one run of ``run.duration`` seconds, and the baseline around it."""
    workers.wait_idle()
    numbers = wrk.run(path, concurrency, run.duration)
    return numbers, baseline_around(run, wrk, workers, concurrency, before)


def in_turns(run, wrk: Wrk, workers: Workers, path: str, concurrency: int) -> tuple[dict, float]:
    """The page in ``run.turns`` one-second turns, each between one-second baselines: the
    turns' numbers as one row, and the mean of the baselines around them."""
    baselines = [measure_baseline(run, wrk, workers, concurrency, seconds=1)]
    turns = []
    for _ in range(run.turns):
        turns.append(wrk.run(path, concurrency, 1, histogram=True))
        baselines.append(measure_baseline(run, wrk, workers, concurrency, seconds=1))
    return merge_turns(turns), sum(baselines) / len(baselines)


def baseline_around(run, wrk: Wrk, workers: Workers, concurrency: int, before: float) -> float:
    """The baseline before a row, averaged with one after it (full runs): the machine drifts."""
    if not run.baseline_after:
        return before
    return (before + measure_baseline(run, wrk, workers, concurrency)) / 2


def _result(name, concurrency, numbers, baseline, queries, workers) -> Result:
    result = Result(
        page=name,
        concurrency=concurrency,
        rps=numbers["rps"],
        p50=numbers["p50_us"] / 1000,
        p95=numbers["p95_us"] / 1000,
        p99=numbers["p99_us"] / 1000,
        errors=numbers["errors"],
        baseline_rps=baseline,
        queries=queries,
        rss=workers.describe(),
        extra=numbers,
    )
    ratio = f"{result.ratio:.2f}" if result.ratio is not None else "n/a"
    print(
        f"  c={concurrency:<3} {result.rps:9.1f} req/s (baseline {baseline:7.1f}, × {ratio})  "
        f"p95 {result.p95:7.1f} ms  errors {result.errors}",
        flush=True,
    )
    return result


class CommentCounter:
    """Counts stored comments through Django, on the database the server uses."""

    def __init__(self, database_url: str):
        os.environ["DATABASE_URL"] = database_url
        os.environ["DJANGO_SETTINGS_MODULE"] = "tipsite.settings.development"
        os.environ["DEBUG"] = "false"
        sys.path.insert(0, str(PROJECT_DIR))
        import django

        django.setup()
        from django.db import connection

        from comments.models import Comment

        self.vendor = connection.vendor
        self.comments = Comment.objects

    def starting_with(self, prefix: str) -> int:
        return self.comments.filter(body__startswith=prefix).count()


def post_comments(args, run, manifest, wrk: Wrk, workers, counter) -> list[Result]:
    post = manifest["comment_post"][run.cache]
    results = []
    run_id = time.strftime("%Y%m%dT%H%M%S")
    origin = "https://" + urlsplit(args.url).netloc
    for concurrency in run.post_levels:
        try:
            page = fetch(args.url, post["tip_path"], timeout=args.timeout)
        except TimeoutError:
            run.notes.append(f"Comment post skipped: {post['tip_path']} gave no form in time.")
            return results
        # The action may end in a fragment (#comment-form): match up to it.
        form_html = page.body.partition(f'action="{post["action"]}')[2].partition("</form>")[0]
        fields = dict(FORM_FIELD.findall(form_html))
        # A page from the cache carries no CSRF token: ask for one, as the page's script does.
        token = fetch(args.url, FORM_TOKEN_PATH, timeout=args.timeout)
        if token.status == 200 and not fields.get("csrfmiddlewaretoken"):
            fields["csrfmiddlewaretoken"] = json.loads(token.body)["csrf"]
        cookie = next(
            (
                c.split(";")[0]
                for c in token.headers.get_all("Set-Cookie") or []
                if c.startswith("csrftoken=")
            ),
            "",
        )
        if page.status != 200 or len(fields) != 2 or not cookie:
            run.notes.append(
                f"Comment post skipped: no form, token or CSRF cookie on {post['tip_path']}."
            )
            return results
        marker = f"bench-post {run_id} c{concurrency} "
        form = urlencode(
            {
                "csrfmiddlewaretoken": fields["csrfmiddlewaretoken"],
                "issued": fields["issued"],
                "homepage": "",
                "name": post["name"],
                "email": post["email"],
                "url": "",
                "body": marker,
            }
        )
        headers = {"Cookie": cookie, "Referer": origin + post["tip_path"]}
        form_headers = {**headers, "Content-Type": "application/x-www-form-urlencoded"}
        first = fetch(
            args.url, post["action"], method="POST", form=form + "first", headers=form_headers
        )
        if first.status != 302:
            reason = re.search(
                r'class="[^"]*(?:errorlist|alert)[^"]*"[^>]*>(.*?)<', first.body, re.S
            )
            run.notes.append(
                f"Comment post refused (HTTP {first.status}"
                + (f": {reason[1].strip()}" if reason else "")
                + "). The server needs FLOOD_INTERVAL_SECONDS=0 FLOOD_PER_HOUR=0 "
                "ANTISPAM_MIN_SECONDS=0."
            )
            return results
        baseline = measure_baseline(run, wrk, workers, concurrency)
        workers.wait_idle()
        numbers = wrk.run(
            post["action"],
            concurrency,
            run.duration,
            script=POST_LUA,
            args=[post["action"], cookie, form],
            headers={"Referer": headers["Referer"]},
        )
        workers.wait_idle()  # let the posts still in flight land before counting
        baseline = baseline_around(run, wrk, workers, concurrency, baseline)
        stored = counter.starting_with(marker)
        accepted = numbers["accepted"] + 1  # and the first, sent before wrk
        numbers["stored"] = stored
        numbers["lost"] = max(accepted - stored, 0)
        numbers["accepted_per_second"] = numbers["accepted"] / (numbers["duration_us"] / 1e6)
        refused = (
            f"; refusals answered HTTP {numbers['refused_status']}"
            if numbers["refused_status"]
            else ""
        )
        run.notes.append(
            f"Comment post c={concurrency}: {numbers['sent'] + 1} sent, {accepted} accepted "
            f"(302), {stored} stored, {numbers['lost']} lost"
            + (" (wrk stops without waiting for answers in flight)" if stored > accepted else "")
            + refused
            + "."
        )
        # Errors here: every answer but a redirect (a refused form is a 200), and socket errors.
        numbers["errors"] = (
            numbers["requests"]
            - numbers["accepted"]
            + sum(numbers[k] for k in ("connect", "read", "write", "timeout"))
        )
        results.append(_result("comment post", concurrency, numbers, baseline, "n/a", workers))
    return results


def sitemap_files(base: str, timeout: int) -> dict[str, int]:
    """Every tips file the sitemap index lists, with the number of addresses in it."""
    index = fetch(base, "/sitemap.xml", timeout=timeout).body
    files = {}
    for location in LOC.findall(index):
        parts = urlsplit(location)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if "sitemap-tips" in path:
            files[path] = len(LOC.findall(fetch(base, path, timeout=timeout).body))
    return files


@dataclass
class Check:
    target: str
    measured: str
    ok: bool


@dataclass
class Run:
    """What one run measures, in the order the table shows it."""

    cache: str
    preset: str
    levels: list[int]
    post_levels: list[int]
    duration: int
    baseline_duration: int
    baseline_after: bool
    renders: int
    pages: list[dict]
    turns: int = 1  # > 1: warm rows measured in_turns
    renders_by_page: dict[str, Render] = field(default_factory=dict)
    baselines: list[tuple[int, float]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _method(run: Run) -> str:
    if run.turns > 1:
        return (
            f"the page in {run.turns} turns of 1 s per row, each between 1 s of the baseline at "
            "the same concurrency (compared with their mean)"
        )
    return (
        f"{run.duration} s per row, compared with {run.baseline_duration} s of the baseline at "
        f"the same concurrency just "
        f"{'before and after it (their mean)' if run.baseline_after else 'before it'}"
    )


def evaluate(
    run: Run,
    results: list[Result],
    manifest: dict,
    small_queries: dict[str, str] | None,
    sitemap: dict[str, int] | None,
    rss_after: int,
    vendor: str,
) -> list[Check]:
    """The issue's targets, each against what this run measured."""
    checks = []
    at_target = [r for r in results if r.concurrency == TARGET_CONCURRENCY]
    pages = [r for r in at_target if r.page != "comment post"]
    ratio_target = COLD_RATIO if run.cache == "cold" else WARM_RATIO
    if pages:
        slowest = min(pages, key=lambda r: r.ratio or 0)
        checks.append(
            Check(
                f"every page ≥ {ratio_target:.2f} × baseline at c={TARGET_CONCURRENCY}",
                f"lowest {slowest.ratio:.2f} ({slowest.page})"
                + _failing(pages, lambda r: (r.ratio or 0) < ratio_target),
                (slowest.ratio or 0) >= ratio_target,
            )
        )
        worst = max(pages, key=lambda r: r.p95)
        if run.cache == "cold":
            checks.append(
                Check(
                    f"p95 < {P95_MS:.0f} ms at c={TARGET_CONCURRENCY}",
                    f"highest {worst.p95:.1f} ms ({worst.page})"
                    + _failing(pages, lambda r: r.p95 >= P95_MS),
                    worst.p95 < P95_MS,
                )
            )
        searches = [r for r in pages if r.page.startswith("search")]
        if searches:
            slow = max(searches, key=lambda r: r.p95)
            checks.append(
                Check(
                    f"search p95 < {SEARCH_P95_MS:.0f} ms at c={TARGET_CONCURRENCY}",
                    f"{slow.p95:.1f} ms ({slow.page})",
                    slow.p95 < SEARCH_P95_MS,
                )
            )
    deep = next((p for p in manifest["pages"] if p.get("kind") == "category-deep"), None)
    first = next((p for p in manifest["pages"] if p.get("kind") == "category"), None)
    if run.cache == "cold" and deep and first:
        deep_render = run.renders_by_page.get(deep["name"])
        first_render = run.renders_by_page.get(first["name"])
        if deep_render and first_render:
            factor = deep_render.ms / first_render.ms
            checks.append(
                Check(
                    f"{deep['name']} renders within {DEEP_PAGE_FACTOR} × category p1",
                    f"{deep_render.ms:.1f} ms vs {first_render.ms:.1f} ms: × {factor:.2f}",
                    factor <= DEEP_PAGE_FACTOR,
                )
            )
    if small_queries and run.cache == "cold":
        size = manifest["size"]["tips"]
        small_size = small_queries.get("_tips", "?")
        differ = [
            f"{p['name']} {run.renders_by_page[p['name']].queries} vs "
            f"{small_queries.get(p.get('kind'), '?')}"
            for p in manifest["pages"]
            if p["name"] in run.renders_by_page
            and run.renders_by_page[p["name"]].queries != small_queries.get(p.get("kind"))
        ]
        checks.append(
            Check(
                f"queries per page the same at {small_size} and {size:,} tips",
                "; ".join(differ) if differ else "all equal (see the page summary)",
                not differ,
            )
        )
    if sitemap is not None:
        public = manifest["facts"].get("public_tips")
        sizes = list(sitemap.values())
        largest = max(sizes, default=0)
        # Paginated: every file full but the last, so no address is listed twice or skipped.
        paginated = all(size == largest for size in sizes[:-1]) and len(sizes) == (
            math.ceil(public / largest) if largest else 0
        )
        checks.append(
            Check(
                f"sitemap: at most {SITEMAP_LIMIT:,} URLs per file, every public tip listed",
                f"{len(sitemap)} tips files of {largest:,} URLs at most, "
                f"{sum(sizes):,} of {public:,} public tips",
                largest <= SITEMAP_LIMIT and sum(sizes) == public and paginated,
            )
        )
    checks.append(
        Check(
            f"worker memory < {WORKER_RSS_MIB} MB resident after the run",
            f"largest worker {rss_after / MIB:.0f} MiB",
            rss_after < WORKER_RSS_MIB * MIB,
        )
    )
    posts = [r for r in results if r.page == "comment post" and r.concurrency == POST_CONCURRENCY]
    for post in posts:
        rate = post.extra["accepted_per_second"]
        target = f"comment posts ≥ {POSTS_PER_SECOND:.0f}/s at c={POST_CONCURRENCY}, none lost"
        if vendor != "postgresql":
            target += " (the target is PostgreSQL's)"
        checks.append(
            Check(
                target,
                f"{rate:,.0f}/s accepted, {post.extra['lost']} lost",
                rate >= POSTS_PER_SECOND and post.extra["lost"] == 0,
            )
        )
    return checks


def _failing(rows: list[Result], fails) -> str:
    names = [f"{r.page}" for r in rows if fails(r)]
    return f"; below: {', '.join(names)}" if names else ""


def render(args, run: Run, manifest, wrk, results, checks, small, memory) -> str:
    size = manifest["size"]
    vendor = manifest["database"]["vendor"]
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    facts = manifest["facts"]
    lines = [
        f"## {vendor}, {run.cache} cache, {now}",
        "",
        f"{args.url} serving the {manifest.get('preset', '?')} network ({size['tips']:,} tips "
        f"of which {facts.get('public_tips', size['tips']):,} public, {size['comments']:,} "
        f"comments, {size['topics']} topics, {size['categories']} categories, {size['gurus']} "
        f"gurus); {wrk.version}, {_method(run)}. "
        f"Worker RSS (MiB, sum / max): {memory[0]} "
        f"before, {memory[1]} after.",
        "",
        "| page | conc. | req/s | p50 ms | p95 ms | p99 ms | baseline req/s | × baseline "
        "| queries | errors | RSS MiB sum / max |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        ratio = f"{r.ratio:.2f}" if r.ratio is not None else "n/a"
        if r.extra["requests"]:
            latencies = f"{r.p50:.1f} | {r.p95:.1f} | {r.p99:.1f}"
        else:  # nothing finished within the duration: there is no latency to show
            latencies = "— | — | —"
        lines.append(
            f"| {r.page} | {r.concurrency} | {r.rps:,.1f} | {latencies} | {r.baseline_rps:,.1f} "
            f"| {ratio} | {r.queries} | {r.errors} | {r.rss} |"
        )
    lines += ["", *_page_summary(run, manifest, small), ""]
    lines += ["Targets:", ""]
    lines += [f"- {'✅' if c.ok else '❌'} {c.target}: {c.measured}" for c in checks]
    lines += ["", *(f"- {note}" for note in run.notes), ""]
    return "\n".join(lines)


def _page_summary(run: Run, manifest, small) -> list[str]:
    alone = (
        f"rendered alone from an empty cache (median of {run.renders})"
        if run.cache == "cold"
        else "served alone from the cache"
    )
    header = f"| page | path | {alone}, ms | page cache | queries |"
    rule = "| --- | --- | ---: | --- | ---: |"
    if small:
        header += f" queries at {small.get('_tips', '?')} tips |"
        rule += " ---: |"
    lines = [header, rule]
    for page in manifest["pages"]:
        rendered = run.renders_by_page.get(page["name"])
        if rendered is None:
            continue
        row = (
            f"| {page['name']} | `{page['path']}` | {rendered.ms:,.1f} | {rendered.cache} "
            f"| {rendered.queries} |"
        )
        if small:
            row += f" {small.get(page.get('kind'), 'n/a')} |"
        lines.append(row)
    return lines


def main() -> None:
    args = parse_args()
    manifest = json.loads(args.manifest.read_text(encoding="utf-8"))
    preset = PRESETS.get(manifest.get("preset"), PRESETS["full"])
    pages = manifest["pages"]
    if args.pages:
        wanted = [w.strip() for w in args.pages.split(",")]
        pages = [p for p in pages if any(w in p["name"] for w in wanted)]
    run = Run(
        cache=args.cache,
        preset=manifest.get("preset", "full"),
        levels=[int(n) for n in (args.levels or preset["levels"]).split(",")],
        post_levels=[int(n) for n in (args.post_levels or preset["post_levels"]).split(",")],
        duration=args.duration or preset["duration"],
        baseline_duration=args.baseline_duration or preset["baseline"],
        baseline_after=BASELINE_AFTER.get(manifest.get("preset"), True),
        renders=RENDERS.get(manifest.get("preset"), 5),
        pages=pages,
        turns=WARM_TURNS.get(manifest.get("preset"), 1) if args.cache == "warm" else 1,
    )
    wrk = Wrk(args.url, args.timeout)
    workers = Workers(args.url, args.pid)
    reset = (
        CacheReset(args.url, workers, args.redis_url, args.cache_prefix, args.recheck_seconds)
        if args.cache == "cold"
        else None
    )

    try:
        home = fetch(args.url, "/", timeout=args.timeout)
    except (TimeoutError, ConnectionError) as error:
        sys.exit(f"{args.url}/ did not answer: {error}")
    if home.status != 200:
        sys.exit(f"{args.url}/ answered HTTP {home.status} ({home.headers.get('Location', '')}).")
    if fetch(args.url, BASELINE_PATH, timeout=args.timeout).status != 200:
        sys.exit(f"{BASELINE_PATH} does not answer: start the server with BENCH_ENDPOINTS=1.")
    counter = None
    if not args.no_post:
        counter = CommentCounter(args.database_url)
        if counter.vendor != manifest["database"]["vendor"]:
            sys.exit(f"--database-url is {counter.vendor}; the manifest's data is not.")
    small = json.loads(args.small_queries.read_text()) if args.small_queries else None

    memory_before = workers.describe()
    results = load_pages(args, run, wrk, workers, reset)
    if counter:
        results += post_comments(args, run, manifest, wrk, workers, counter)
    workers.wait_idle()
    memory_after = workers.describe()
    sitemap = None if args.pages else sitemap_files(args.url, args.timeout)
    checks = evaluate(
        run, results, manifest, small, sitemap, workers.memory()[2], manifest["database"]["vendor"]
    )

    table = render(args, run, manifest, wrk, results, checks, small, (memory_before, memory_after))
    print("\n" + table)
    args.results_dir.mkdir(parents=True, exist_ok=True)
    day = datetime.date.today().isoformat()
    path = args.results_dir / f"{manifest['database']['vendor']}-{args.cache}-{day}.md"
    with path.open("a", encoding="utf-8") as out:
        out.write(table + "\n")
    print(f"Appended to {path}")


if __name__ == "__main__":
    main()
