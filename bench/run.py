"""Load a running TipSite with wrk, beside a stock Django project; one Markdown table per run.

    .venv/bin/python bench/run.py --url http://127.0.0.1:8787 --stock-url http://127.0.0.1:8788 \\
        [--pid N] [--stock-pid N] [--redis-url URL --cache-prefix PREFIX] [--small-queries FILE]

The site must be served with bench/settings.py (its /bench/ addresses and query counts) and the
data set of bench/last_run.json (bench/generate.py writes both it and the address lists). Each
row is named for what it loads (see bench/README.md, "How to read"):

- baselines: a stock Django project's "ok" view and its 5 KB template page, and TipSite's bare
  view behind the site's whole middleware; every other row is compared with them;
- rendered alone: the home page, a topic and a sitemap section, each fetched alone right after
  every cache was emptied (as after a deploy), and every page's queries;
- crawl: distinct tip pages, distinct category pages, distinct searches; no address twice;
- zipf: addresses drawn with Zipf's law (s=1.1) from the listings and up to 20,000 tips, after
  a warm-up of the same traffic, with the share served from the page cache;
- hot: one tip page again and again (a page cache hit, nearly every time);
- comment posts, last: stored comments start new page versions.

Each row reports req/s, wrk's p50/p95/p99 and the server workers' CPU per request.
"""

import argparse
import datetime
import functools
import gzip
import http.client
import itertools
import json
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BENCH_DIR.parent
DEFAULT_MANIFEST = BENCH_DIR / "last_run.json"
DEFAULT_DATABASE_URL = f"sqlite:///{BENCH_DIR / 'data' / 'bench.sqlite3'}"
LATENCY_LUA = BENCH_DIR / "latency.lua"
POST_LUA = BENCH_DIR / "post_comment.lua"
WALK_LUA = BENCH_DIR / "walk.lua"
BASELINE_PATH = "/bench/baseline/"
CLEAR_PATH = "/bench/cache/clear/"
STOCK_OK, STOCK_TEMPLATE = "/ok/", "/template/"
# Production runs behind a TLS-terminating proxy that says so in X-Forwarded-Proto; sending it
# lets production settings serve plain HTTP here as they would there (no redirect to https://,
# and CSRF checks the Referer as on a secure site). Browsers and crawlers accept gzip.
CLIENT_HEADERS = {"X-Forwarded-Proto": "https", "Accept-Encoding": "gzip"}
BENCH_LINE = re.compile(r"^BENCH (.*)$", re.MULTILINE)
FORM_TOKEN_PATH = "/forms/token/"  # noqa: S105 - an address, not a secret
FORM_FIELD = re.compile(r'name="(csrfmiddlewaretoken|issued)" value="([^"]*)"')
LOC = re.compile(r"<loc>([^<]*)</loc>")
MIB = 1024 * 1024

# What issue 16 asks of the site; evaluate() checks each against the run.
CONCURRENCY = 8
CRAWL_RATIO, CRAWL_P95_MS = 0.5, 50.0
SEARCH_RATIO, SEARCH_P95_MS = 0.3, 100.0
RENDER_MS = 15.0
SITEMAP_MS, SITEMAP_URLS = 25.0, 2_000
ZIPF_RATIO, HOT_RATIO = 1.5, 0.6
POST_CONCURRENCY, POSTS_PER_SECOND = 16, 200.0
WORKER_RSS_MIB = 150
ZIPF_S, ZIPF_TIPS = 1.1, 20_000
# Addresses a zipf list holds per second of row: more than any server here answers.
ZIPF_PER_SECOND = 5_000

PRESETS = {
    # seconds per row, of zipf and of crawl warm-up, renders alone per page; baselines again
    # at the end.
    "full": {
        "duration": 5, "warmup": 20, "crawl_warmup": 3, "renders": 7,
        "post_levels": "1,8,16,32", "baselines_after": True,
    },
    "quick": {
        "duration": 1, "warmup": 2, "crawl_warmup": 1, "renders": 3, "post_levels": "16",
        "baselines_after": False,
    },
}  # fmt: skip
# The pages rendered alone with a time target; the others are fetched once, for their queries.
TIMED_KINDS = {"home", "topic", "sitemap-tips"}
# Caches in each worker whose entries live PAGE_CACHE_RECHECK_SECONDS: waited out (settle()),
# not emptied by replacing the workers.
EXPIRING_CACHES = {"recent_pages"}


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True, help="TipSite, served with bench.settings")
    parser.add_argument("--stock-url", required=True, help="the stock project (bench/stock)")
    parser.add_argument("--manifest", type=Path, default=DEFAULT_MANIFEST)
    parser.add_argument("--duration", type=int, help="seconds per row (full 5, quick 1)")
    parser.add_argument("--warmup", type=int, help="seconds of zipf traffic before its row")
    parser.add_argument("--pid", type=int, help="TipSite's gunicorn master (default: who listens)")
    parser.add_argument("--stock-pid", type=int, help="the stock project's gunicorn master")
    parser.add_argument(
        "--redis-url", default="", help="the server's Redis, to empty its cache by prefix"
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
    parser.add_argument(
        "--page-cache-seconds", type=int, default=600,
        help="the server's PAGE_CACHE_SECONDS (0: the page cache is off), for the table's notes",
    )  # fmt: skip
    parser.add_argument("--no-post", action="store_true", help="skip the comment posts")
    parser.add_argument("--post-levels", help="comment post concurrencies, commas")
    parser.add_argument("--timeout", type=int, default=60, help="wrk's per-request timeout, s")
    parser.add_argument("--seed", type=int, default=16, help="the zipf draws")
    parser.add_argument("--results-dir", type=Path, default=BENCH_DIR / "results")
    return parser.parse_args(argv)


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
class Row:
    """One wrk run: what it loaded, on which server, and what wrk and /proc said."""

    name: str
    what: str
    server: str  # "stock" or "TipSite"
    concurrency: int
    numbers: dict

    @property
    def rps(self) -> float:
        return self.numbers["rps"]

    @property
    def errors(self) -> int:
        return self.numbers["errors"]

    def ms(self, p: int) -> float:
        return self.numbers[f"p{p}_us"] / 1000

    @property
    def cpu_ms(self) -> float | None:
        return self.numbers.get("cpu_ms")

    @property
    def hit_ratio(self) -> float | None:
        return hit_ratio(self.numbers)


@dataclass
class Render:
    """A page fetched alone right after every cache was emptied."""

    ms: float
    queries: str
    status: int
    cache: str
    urls: int  # <loc> elements: the addresses a sitemap lists


@dataclass
class Check:
    target: str
    measured: str
    ok: bool


@dataclass
class Run:
    """What one run measures, in the order the table shows it."""

    preset: str
    duration: int
    warmup: int
    crawl_warmup: int
    renders: int
    post_levels: list[int]
    baselines_after: bool
    rows: list[Row] = field(default_factory=list)
    renders_by_page: dict[str, Render] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def baseline(self, name: str) -> float | None:
        """A baseline's req/s: the mean of its rows (before, and in a full run after, the rest)."""
        rates = [row.rps for row in self.rows if row.name == name]
        return statistics.mean(rates) if rates else None

    def row(self, name: str) -> Row | None:
        return next((row for row in self.rows if row.name == name), None)


def hit_ratio(numbers: dict) -> float | None:
    """The share of answers walk.lua saw come from the page cache (X-Page-Cache: hit)."""
    if "hits" not in numbers:
        return None
    answered = numbers["hits"] + numbers["misses"] + numbers["uncached"]
    return numbers["hits"] / answered if answered else None


def cpu_ms_per_request(
    before: dict[int, int], after: dict[int, int], requests: int, ticks_per_second: int
) -> float | None:
    """Worker CPU per request from two /proc samples (utime + stime ticks by pid).

    A worker started in between counts from zero; one gone in between is not counted (its last
    ticks are unknown), so replaced workers make the figure a lower bound.
    """
    if not requests:
        return None
    ticks = sum(now - before.get(pid, 0) for pid, now in after.items())
    return ticks / ticks_per_second * 1000 / requests


def zipf_sample(items: list[str], count: int, rng: random.Random, s: float = ZIPF_S) -> list[str]:
    """``count`` draws from ``items``, the k-th (from 1) with probability proportional to 1/k^s."""
    weights = itertools.accumulate(1 / k**s for k in range(1, len(items) + 1))
    return rng.choices(items, cum_weights=list(weights), k=count)


class Wrk:
    def __init__(self, timeout: int):
        self.path = shutil.which("wrk")
        if not self.path:
            sys.exit("wrk is not installed: sudo apt-get install -y wrk")
        self.timeout = timeout
        # S603: the commands below run wrk with arguments this script builds, no shell.
        version = subprocess.run([self.path, "-v"], capture_output=True, text=True, check=False)  # noqa: S603
        self.version = (version.stdout or version.stderr).split(" [")[0]

    @staticmethod
    def threads(concurrency: int) -> int:
        return min(concurrency, os.cpu_count() or 1)

    def run(
        self,
        url: str,
        concurrency: int,
        seconds: int,
        *,
        script: Path = LATENCY_LUA,
        args=(),
        headers=None,
    ) -> dict:
        command = [self.path, f"-t{self.threads(concurrency)}", f"-c{concurrency}"]
        command += [f"-d{seconds}s", f"--timeout={self.timeout}s", "-s", str(script)]
        for name, value in {**CLIENT_HEADERS, **(headers or {})}.items():
            command += ["-H", f"{name}: {value}"]
        command.append(url)
        if args:
            command += ["--", *map(str, args)]
        done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
        match = BENCH_LINE.search(done.stdout)
        if done.returncode or not match:
            sys.exit(f"wrk failed on {url}:\n{done.stdout}\n{done.stderr}")
        return parse_bench_line(match[1])

    def walk(self, base: str, paths: list[str], concurrency: int, seconds: int, *, mode: str):
        """Load ``paths`` through walk.lua: each sent once ("once"), drawn ("sample"), or
        over and over ("cycle"). The list goes to a file the script reads."""
        with tempfile.NamedTemporaryFile("w", suffix=".txt", encoding="utf-8") as listed:
            listed.writelines(f"{path}\n" for path in paths)
            listed.flush()
            args = [listed.name, self.threads(concurrency), mode]
            return self.run(base + "/", concurrency, seconds, script=WALK_LUA, args=args)


ERROR_KINDS = ("connect", "read", "write", "status", "timeout")


def parse_bench_line(line: str) -> dict:
    """The numbers of latency.lua's "BENCH key=value ..." line, with req/s and errors added."""
    numbers = {key: int(value) for key, value in re.findall(r"(\w+)=(\d+)", line)}
    seconds = numbers["duration_us"] / 1e6
    numbers["rps"] = numbers["requests"] / seconds if seconds else 0.0
    numbers["errors"] = sum(numbers[k] for k in ERROR_KINDS)
    return numbers


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

    def cpu_ticks(self) -> dict[int, int]:
        """Each worker's CPU time so far (user + system), in clock ticks."""
        return {pid: _cpu_ticks(pid) for pid in self.pids()}

    def cpu_seconds(self) -> float:
        return sum(self.cpu_ticks().values()) / TICKS_PER_SECOND

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


TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK")


def measure(wrk: Wrk, workers: Workers, run_wrk) -> dict:
    """wrk's numbers for ``run_wrk()``, with the server workers' CPU per request added.

    Waits for an idle server before (a slow page's leftovers would count) and after (the
    answers in flight when wrk stopped cost CPU too, if not requests).
    """
    workers.wait_idle()
    before = workers.cpu_ticks()
    numbers = run_wrk()
    workers.wait_idle()
    numbers["cpu_ms"] = cpu_ms_per_request(
        before, workers.cpu_ticks(), numbers["requests"], TICKS_PER_SECOND
    )
    return numbers


class CacheReset:
    """Empties every cache of the server, for pages rendered "with nothing cached at all".

    With Redis, deletes the keys under the server's prefix (nothing else in that Redis).
    Otherwise asks the server (bench/views.py) to empty the caches its workers share, and
    replaces the workers (SIGHUP to gunicorn) when it says some cache lives in each worker.
    A worker still serves what it kept of a page it served from the cache for ``recheck``
    seconds more, so a page loaded moments ago is measured after that (:meth:`settle`).
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
        answer = fetch(self.base, CLEAR_PATH, method="POST")
        if answer.status != 200:
            sys.exit(f"{CLEAR_PATH} answered HTTP {answer.status}: serve with bench.settings")
        if set(json.loads(answer.body)["per_worker"]) - EXPIRING_CACHES:
            self.replace_workers()

    def replace_workers(self) -> None:
        if not self.workers.master:
            sys.exit("caches in each worker: pass --pid, to replace the workers")
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
        """Note that ``path`` was just loaded: the workers keep copies of it for a while."""
        self.loaded_at[path] = time.monotonic()

    def settle(self, path: str) -> None:
        """Wait until no worker serves a copy of ``path`` it kept from before the emptying."""
        if path in self.loaded_at:
            time.sleep(max(0.0, self.loaded_at[path] + self.recheck - time.monotonic()))


def render_alone(base: str, path: str, reset: CacheReset, times: int, timeout: int) -> Render:
    """Fetch ``path`` ``times`` times, each right after emptying every cache: the median time;
    the queries, cache state and addresses listed of the first."""
    fetched = []
    for _ in range(times):
        reset()
        reset.settle(path)
        fetched.append(fetch(base, path, timeout=timeout))
    first = fetched[0]
    return Render(
        ms=statistics.median(f.ms for f in fetched),
        queries=first.headers.get("X-DB-Queries", "n/a"),
        status=first.status,
        cache=first.headers.get("X-Page-Cache", "none"),
        urls=len(LOC.findall(first.body)),
    )


@dataclass
class Servers:
    """Both servers of a run: where they answer and their workers."""

    site: str
    stock: str
    site_workers: Workers
    stock_workers: Workers


def load_baselines(run: Run, wrk: Wrk, servers: Servers, when: str) -> None:
    """The three yardsticks, at the pages' concurrency."""
    for name, base, path, workers, what in (
        ("stock ok", servers.stock, STOCK_OK, servers.stock_workers,
         'stock Django, default middleware: `HttpResponse("ok")`'),
        ("stock template", servers.stock, STOCK_TEMPLATE, servers.stock_workers,
         "stock Django, default middleware: a 5 KB template with a 20-item loop"),
        ("TipSite bare view", servers.site, BASELINE_PATH, servers.site_workers,
         "a tiny template behind TipSite's whole middleware"),
    ):  # fmt: skip
        if when == "before":
            # New workers import and compile on their first requests: not what a view costs.
            wrk.run(base + path, CONCURRENCY, 1)
        numbers = measure(
            wrk, workers, lambda b=base, p=path: wrk.run(b + p, CONCURRENCY, run.duration)
        )
        row = Row(name, f"{what} ({when})", "stock" if base == servers.stock else "TipSite",
                  CONCURRENCY, numbers)  # fmt: skip
        _add(run, row)


def _add(run: Run, row: Row) -> None:
    run.rows.append(row)
    hits = f"  hits {row.hit_ratio:.0%}" if row.hit_ratio is not None else ""
    cpu = f"{row.cpu_ms:.2f}" if row.cpu_ms is not None else "n/a"
    print(
        f"{row.name:<22} {row.rps:9.1f} req/s  p95 {row.ms(95):7.1f} ms  CPU {cpu} ms/req"
        f"{hits}  errors {row.errors}",
        flush=True,
    )


def read_list(manifest: dict, kind: str) -> list[str]:
    listed = Path(manifest["lists"][kind]["path"])
    return [line for line in listed.read_text(encoding="utf-8").splitlines() if line]


def crawl_split(paths: list[str]) -> tuple[list[str], list[str]]:
    """A list's addresses for the warm-up (a quarter) and for the row: none in both."""
    quarter = len(paths) // 4
    return paths[len(paths) - quarter :], paths[: len(paths) - quarter]


def load_crawls(run: Run, wrk: Wrk, servers: Servers, manifest: dict, reset: CacheReset) -> None:
    """Distinct tips, category pages and searches, none twice and none cached.

    Every cache is emptied first (no page from an earlier row or run can be a hit), then each
    kind warms up on a quarter of its list, as a crawler finds fragments shared by many pages
    (menus, counts) already made, and its row walks the rest.
    """
    seen = {page["path"] for page in manifest["pages"]}  # fetched alone already
    reset()
    for kind, name in (("tips", "crawl tips"), ("categories", "crawl categories"),
                       ("searches", "crawl searches")):  # fmt: skip
        warmup, paths = crawl_split([p for p in read_list(manifest, kind) if p not in seen])
        wrk.walk(servers.site, warmup, CONCURRENCY, run.crawl_warmup, mode="once")
        numbers = measure(
            wrk,
            servers.site_workers,
            lambda p=paths: wrk.walk(servers.site, p, CONCURRENCY, run.duration, mode="once"),
        )
        described = {
            "tips": "distinct tip pages",
            "categories": "distinct category pages (category × page)",
            "searches": "distinct searches, common and rare words",
        }[kind]
        what = f"{described}, none twice, of {len(paths):,}, after {run.crawl_warmup} s of others"
        _add(run, Row(name, what, "TipSite", CONCURRENCY, numbers))
        if numbers["exhausted"]:
            run.notes.append(
                f"{name}: the list of {len(paths):,} ran out before the row's end; its req/s "
                "counts the whole duration, so it understates."
            )
        if numbers["repeats"]:
            run.notes.append(f"{name}: {numbers['repeats']} addresses were sent twice.")


def zipf_universe(manifest: dict) -> list[str]:
    """The addresses zipf traffic draws from, most read first: the listings, then tips."""
    return [*read_list(manifest, "listings"), *read_list(manifest, "tips")[:ZIPF_TIPS]]


def load_zipf(run: Run, wrk: Wrk, servers: Servers, manifest: dict, seed: int) -> None:
    universe = zipf_universe(manifest)
    rng = random.Random(seed)  # noqa: S311 - a repeatable draw, not a secret
    warmup = zipf_sample(universe, run.warmup * ZIPF_PER_SECOND, rng)
    measure(
        wrk,
        servers.site_workers,
        lambda: wrk.walk(servers.site, warmup, CONCURRENCY, run.warmup, mode="sample"),
    )
    drawn = zipf_sample(universe, max(run.duration, 1) * ZIPF_PER_SECOND, rng)
    numbers = measure(
        wrk,
        servers.site_workers,
        lambda: wrk.walk(servers.site, drawn, CONCURRENCY, run.duration, mode="sample"),
    )
    tips = len(universe) - manifest["lists"]["listings"]["count"]
    what = (
        f"Zipf s={ZIPF_S} over {tips:,} tips and {manifest['lists']['listings']['count']:,} "
        f"listings, after {run.warmup} s of the same"
    )
    _add(run, Row("zipf", what, "TipSite", CONCURRENCY, numbers))
    if numbers["exhausted"]:
        run.notes.append("zipf: the draw ran out before the row's end; its req/s understates.")


def load_hot(run: Run, wrk: Wrk, servers: Servers, manifest: dict, reset: CacheReset) -> None:
    page = next(p for p in manifest["pages"] if p["kind"] == "tip")
    fetch(servers.site, page["path"])
    numbers = measure(
        wrk,
        servers.site_workers,
        lambda: wrk.walk(servers.site, [page["path"]], CONCURRENCY, run.duration, mode="cycle"),
    )
    reset.loaded(page["path"])
    _add(run, Row("hot", f"one tip page again and again (`{page['path']}`)", "TipSite",
                  CONCURRENCY, numbers))  # fmt: skip


# A personal visit (a vote cookie): rendered every time, never stored in the page cache.
WARM_UP_HEADERS = {"Cookie": "tipsite_visitor=bench-warm-up"}


def warm_up(servers: Servers, manifest: dict, timeout: int) -> None:
    """Have every worker render each page, so the pages fetched alone do not also time a new
    worker's first look at its templates and code (gone after its first requests)."""
    renders = 3 * max(1, len(servers.site_workers.pids()))
    with ThreadPoolExecutor(max_workers=renders) as pool:
        for page in manifest["pages"]:
            paths = [page["path"]] * renders
            list(pool.map(lambda path: fetch(servers.site, path, headers=WARM_UP_HEADERS,
                                             timeout=timeout), paths))  # fmt: skip


def render_pages(run: Run, manifest: dict, servers: Servers, reset: CacheReset, timeout: int):
    """Every page alone from nothing cached: the timed ones ``run.renders`` times (median)."""
    warm_up(servers, manifest, timeout)
    for page in manifest["pages"]:
        times = run.renders if page["kind"] in TIMED_KINDS else 1
        try:
            rendered = render_alone(servers.site, page["path"], reset, times, timeout)
        except TimeoutError:
            run.notes.append(f"{page['name']} ({page['path']}): no answer in {timeout} s.")
            continue
        run.renders_by_page[page["name"]] = rendered
        print(
            f"{page['name']}: HTTP {rendered.status} in {rendered.ms:.1f} ms alone, "
            f"{rendered.queries} queries, page cache {rendered.cache}",
            flush=True,
        )
        if rendered.status != 200:
            run.notes.append(f"{page['name']} ({page['path']}) answered HTTP {rendered.status}.")


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


def load_posts(args, run: Run, manifest, wrk: Wrk, servers: Servers, counter) -> None:
    """Comment posts, each with its own text, through the form a reader would use."""
    post = manifest["comment_post"]
    run_id = time.strftime("%Y%m%dT%H%M%S")
    origin = "https://" + urlsplit(servers.site).netloc
    for concurrency in run.post_levels:
        try:
            page = fetch(servers.site, post["tip_path"], timeout=args.timeout)
        except TimeoutError:
            run.notes.append(f"Comment post skipped: {post['tip_path']} gave no form in time.")
            return
        # The action may end in a fragment (#comment-form): match up to it.
        form_html = page.body.partition(f'action="{post["action"]}')[2].partition("</form>")[0]
        fields = dict(FORM_FIELD.findall(form_html))
        # A page from the cache carries no CSRF token: ask for one, as the page's script does.
        token = fetch(servers.site, FORM_TOKEN_PATH, timeout=args.timeout)
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
            return
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
            servers.site, post["action"], method="POST", form=form + "first", headers=form_headers
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
            return
        send = functools.partial(
            wrk.run, servers.site + post["action"], concurrency, run.duration, script=POST_LUA,
            args=[post["action"], cookie, form], headers={"Referer": headers["Referer"]},
        )  # fmt: skip
        numbers = measure(wrk, servers.site_workers, send)
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
        _add(run, Row("comment post", "a new comment, stored at once", "TipSite",
                      concurrency, numbers))  # fmt: skip


def evaluate(
    run: Run, manifest: dict, small_queries: dict | None, rss_max: int, vendor: str
) -> list[Check]:
    """Issue 16's targets, each against what this run measured."""
    checks = []
    template, ok = run.baseline("stock template"), run.baseline("stock ok")
    for name, ratio, p95 in (
        ("crawl tips", CRAWL_RATIO, CRAWL_P95_MS),
        ("crawl categories", CRAWL_RATIO, CRAWL_P95_MS),
        ("crawl searches", SEARCH_RATIO, SEARCH_P95_MS),
    ):
        if (row := run.row(name)) and template:
            checks.append(
                Check(
                    f"{name}: ≥ {ratio} × the template baseline, p95 < {p95:.0f} ms",
                    f"× {row.rps / template:.2f} ({row.rps:,.0f} of {template:,.0f} req/s), "
                    + (f"p95 {row.ms(95):.1f} ms" if row.numbers["requests"] else "none done"),
                    row.rps >= ratio * template
                    and row.ms(95) < p95
                    and row.numbers["requests"] > 0,
                )
            )
    for page in manifest["pages"]:
        rendered = run.renders_by_page.get(page["name"])
        if rendered is None:
            continue
        alone = f"{rendered.ms:.1f} ms (median of {run.renders}, X-Page-Cache {rendered.cache})"
        if page["kind"] in ("home", "topic"):
            checks.append(
                Check(
                    f"{page['name']} rendered with nothing cached < {RENDER_MS:.0f} ms",
                    alone,
                    rendered.ms < RENDER_MS and rendered.cache != "hit",
                )
            )
        elif page["kind"] == "sitemap-tips":
            size = "" if rendered.urls >= SITEMAP_URLS else " (this network's section is smaller)"
            checks.append(
                Check(
                    f"a sitemap section of {SITEMAP_URLS:,} URLs < {SITEMAP_MS:.0f} ms",
                    f"{alone}, {rendered.urls:,} URLs{size}",
                    rendered.ms < SITEMAP_MS and rendered.cache != "hit",
                )
            )
    for name, base, label, ratio in (
        ("zipf", template, "template", ZIPF_RATIO),
        ("hot", ok, '"ok"', HOT_RATIO),
    ):
        if (row := run.row(name)) and base:
            hits = f", {row.hit_ratio:.0%} hits" if row.hit_ratio is not None else ""
            checks.append(
                Check(
                    f"{name}: ≥ {ratio} × the {label} baseline",
                    f"× {row.rps / base:.2f} ({row.rps:,.0f} of {base:,.0f} req/s){hits}",
                    row.rps >= ratio * base,
                )
            )
    if small_queries:
        size = manifest["size"]["tips"]
        differ = [
            f"{p['name']} {run.renders_by_page[p['name']].queries} vs "
            f"{small_queries.get(p.get('kind'), '?')}"
            for p in manifest["pages"]
            if p["name"] in run.renders_by_page
            and run.renders_by_page[p["name"]].queries != small_queries.get(p.get("kind"))
        ]
        checks.append(
            Check(
                f"queries per page the same at {small_queries.get('_tips', '?')} and {size:,} tips",
                "; ".join(differ) if differ else "all equal (see the pages rendered alone)",
                not differ,
            )
        )
    checks.append(
        Check(
            f"worker memory < {WORKER_RSS_MIB} MB resident after the run",
            f"largest worker {rss_max / MIB:.0f} MiB",
            rss_max < WORKER_RSS_MIB * MIB,
        )
    )
    for post in (r for r in run.rows if r.name == "comment post"):
        if post.concurrency != POST_CONCURRENCY:
            continue
        rate, lost = post.numbers["accepted_per_second"], post.numbers["lost"]
        target = f"comment posts ≥ {POSTS_PER_SECOND:.0f}/s at c={POST_CONCURRENCY}, none lost"
        if vendor != "postgresql":
            target += " (the rate is PostgreSQL's target)"
        fast = rate >= POSTS_PER_SECOND or vendor != "postgresql"
        checks.append(Check(target, f"{rate:,.0f}/s accepted, {lost} lost", fast and lost == 0))
    return checks


def render(url: str, run: Run, manifest, wrk_version: str, checks, small, memory) -> str:
    size = manifest["size"]
    vendor = manifest["database"]["vendor"]
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    facts = manifest["facts"]
    template, ok = run.baseline("stock template"), run.baseline("stock ok")
    lines = [
        f"## {vendor}, {now}",
        "",
        f"{url} serving the {manifest.get('preset', '?')} network ({size['tips']:,} tips "
        f"of which {facts.get('public_tips', size['tips']):,} public, {size['comments']:,} "
        f"comments, {size['topics']} topics, {size['categories']} categories, {size['gurus']} "
        f"gurus); {wrk_version}, {run.duration} s per row at c={CONCURRENCY}"
        + (", the baselines before and after the rest (ratios to their mean)"
           if run.baselines_after else "")
        + f". Worker RSS (MiB, sum / max): {memory[0]} before, {memory[1]} after.",
        "",
        "| row | what it loads | conc. | req/s | p50 ms | p95 ms | p99 ms | worker CPU ms/req "
        "| page cache hits | × template | × ok | errors |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]  # fmt: skip
    for r in run.rows:
        if r.numbers["requests"]:
            latencies = f"{r.ms(50):.1f} | {r.ms(95):.1f} | {r.ms(99):.1f}"
        else:  # nothing finished within the duration: there is no latency to show
            latencies = "— | — | —"
        cpu = f"{r.cpu_ms:.2f}" if r.cpu_ms is not None else "n/a"
        hits = f"{r.hit_ratio:.0%}" if r.hit_ratio is not None else "n/a"
        lines.append(
            f"| {r.name} | {r.what} | {r.concurrency} | {r.rps:,.1f} | {latencies} | {cpu} "
            f"| {hits} | {_ratio(r.rps, template)} | {_ratio(r.rps, ok)} | {r.errors} |"
        )
    lines += ["", *_rendered_alone(run, manifest, small), ""]
    lines += ["Targets:", ""]
    lines += [f"- {'✅' if c.ok else '❌'} {c.target}: {c.measured}" for c in checks]
    lines += ["", *(f"- {note}" for note in run.notes), ""]
    return "\n".join(lines)


def cache_setup(redis_url: str, recheck: float, page_cache_seconds: int) -> str:
    """What the table's server cached, and where: runs with a layer off are compared with it."""
    if page_cache_seconds <= 0:
        return "The page cache was off (`PAGE_CACHE_SECONDS=0`): every page was rendered."
    where = "Redis" if redis_url else "the database (no Redis)"
    copies = (
        f", and each worker kept what it served for {recheck:g} s"
        if redis_url and recheck > 0
        else ", and the workers kept no copies of pages"
    )
    return f"The page cache was in {where}, pages kept {page_cache_seconds} s{copies}."


def _ratio(rps: float, base: float | None) -> str:
    return f"{rps / base:.2f}" if base else "n/a"


def _rendered_alone(run: Run, manifest, small) -> list[str]:
    header = (
        f"Pages fetched alone right after every cache was emptied (home, topic and the sitemap "
        f"section: median of {run.renders}; the others once, for their queries):"
    )
    columns = "| page | path | ms | X-Page-Cache | queries |"
    rule = "| --- | --- | ---: | --- | ---: |"
    if small:
        columns += f" queries at {small.get('_tips', '?')} tips |"
        rule += " ---: |"
    lines = [header, "", columns, rule]
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


def main(argv=None) -> None:
    args = parse_args(argv)
    manifest = json.loads(args.manifest.read_text(encoding="utf-8"))
    preset = PRESETS.get(manifest.get("preset"), PRESETS["full"])
    run = Run(
        preset=manifest.get("preset", "full"),
        duration=args.duration or preset["duration"],
        warmup=args.warmup if args.warmup is not None else preset["warmup"],
        crawl_warmup=preset["crawl_warmup"],
        renders=preset["renders"],
        post_levels=[int(n) for n in (args.post_levels or preset["post_levels"]).split(",")],
        baselines_after=preset["baselines_after"],
    )
    run.notes.append(cache_setup(args.redis_url, args.recheck_seconds, args.page_cache_seconds))
    wrk = Wrk(args.timeout)
    servers = Servers(
        site=args.url.rstrip("/"),
        stock=args.stock_url.rstrip("/"),
        site_workers=Workers(args.url, args.pid),
        stock_workers=Workers(args.stock_url, args.stock_pid),
    )
    for base, path, hint in (
        (servers.site, BASELINE_PATH, "serve TipSite with DJANGO_SETTINGS_MODULE=bench.settings"),
        (servers.stock, STOCK_OK, "serve bench.stock.wsgi:application"),
    ):
        try:
            answered = fetch(base, path, timeout=args.timeout).status
        except OSError as error:
            sys.exit(f"{base}{path} did not answer ({error}): {hint}.")
        if answered != 200:
            sys.exit(f"{base}{path} answered HTTP {answered}: {hint}.")
    reset = CacheReset(
        servers.site, servers.site_workers, args.redis_url, args.cache_prefix,
        args.recheck_seconds,
    )  # fmt: skip
    counter = None
    if not args.no_post:
        counter = CommentCounter(args.database_url)
        if counter.vendor != manifest["database"]["vendor"]:
            sys.exit(f"--database-url is {counter.vendor}; the manifest's data is not.")
    small = json.loads(args.small_queries.read_text()) if args.small_queries else None

    memory_before = servers.site_workers.describe()
    load_baselines(run, wrk, servers, "before")
    render_pages(run, manifest, servers, reset, args.timeout)
    load_crawls(run, wrk, servers, manifest, reset)
    load_zipf(run, wrk, servers, manifest, args.seed)
    load_hot(run, wrk, servers, manifest, reset)
    if run.baselines_after:
        load_baselines(run, wrk, servers, "after")
    if counter:
        load_posts(args, run, manifest, wrk, servers, counter)
    servers.site_workers.wait_idle()
    memory_after = servers.site_workers.describe()
    vendor = manifest["database"]["vendor"]
    checks = evaluate(run, manifest, small, servers.site_workers.memory()[2], vendor)

    table = render(
        args.url, run, manifest, wrk.version, checks, small, (memory_before, memory_after)
    )
    print("\n" + table)
    args.results_dir.mkdir(parents=True, exist_ok=True)
    # The date of the table's heading (UTC), not the local one.
    today = datetime.datetime.now(datetime.UTC).date().isoformat()
    path = args.results_dir / f"{vendor}-{today}.md"
    with path.open("a", encoding="utf-8") as out:
        out.write(table + "\n")
    print(f"Appended to {path}")


if __name__ == "__main__":
    main()
