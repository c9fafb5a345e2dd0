"""Load a running TipSite with wrk and write one Markdown table per run.

    .venv/bin/python bench/run.py --url http://127.0.0.1:8000 [--cache warm|cold] [--pid N]

The pages come from bench/last_run.json (bench/generate.py writes it); the server must serve
that data set. Each page is fetched once first (status, the X-DB-Queries header), then loaded
with wrk at every concurrency level; a comment post comes last, because every stored comment
starts a new page-cache version. See bench/README.md for the server's environment.
"""

import argparse
import datetime
import http.client
import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode, urlsplit

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BENCH_DIR.parent
DEFAULT_MANIFEST = BENCH_DIR / "last_run.json"
DEFAULT_DATABASE_URL = f"sqlite:///{BENCH_DIR / 'data' / 'bench.sqlite3'}"
LATENCY_LUA = BENCH_DIR / "latency.lua"
POST_LUA = BENCH_DIR / "post_comment.lua"
BASELINE_PATH = "/bench/baseline/"
# Production runs behind a TLS-terminating proxy that says so in this header; sending it lets
# production settings serve plain HTTP here as they would there (no redirect to https://, and
# CSRF checks the Referer as on a secure site). Development settings ignore it.
PROXY_HEADERS = {"X-Forwarded-Proto": "https"}
BENCH_LINE = re.compile(r"^BENCH (.*)$", re.MULTILINE)
FORM_FIELD = re.compile(r'name="(csrfmiddlewaretoken|issued)" value="([^"]*)"')
MIB = 1024 * 1024


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--url", required=True, help="the running server, e.g. http://127.0.0.1:8000"
    )
    parser.add_argument("--manifest", type=Path, default=DEFAULT_MANIFEST)
    parser.add_argument("--concurrency", default="1,8,32", help="comma-separated levels")
    parser.add_argument(
        "--duration", type=int, help="seconds per level (default 10 for full, 3 for quick)"
    )
    parser.add_argument("--cache", default="warm", help="label: warm (pages pre-fetched) or cold")
    parser.add_argument("--pid", type=int, help="gunicorn master PID (default: who listens)")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL,
        help="to count stored comments (default: $DATABASE_URL, else the bench SQLite file)",
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
        conn.request(method, path, body=form or None, headers={**PROXY_HEADERS, **(headers or {})})
        response = conn.getresponse()
        body = response.read().decode("utf-8", "replace")
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
    queries: str
    rss: str
    extra: dict


class Wrk:
    def __init__(self, base: str, duration: int, timeout: int):
        self.path = shutil.which("wrk")
        if not self.path:
            sys.exit("wrk is not installed: sudo apt-get install -y wrk")
        self.base = base.rstrip("/")
        self.duration = duration
        self.timeout = timeout
        # S603: the commands below run wrk with arguments this script builds, no shell.
        version = subprocess.run([self.path, "-v"], capture_output=True, text=True, check=False)  # noqa: S603
        self.version = (version.stdout or version.stderr).split(" [")[0]

    def run(
        self, path: str, concurrency: int, *, script: Path = LATENCY_LUA, args=(), headers=None
    ) -> dict:
        threads = min(concurrency, os.cpu_count() or 1)
        command = [self.path, f"-t{threads}", f"-c{concurrency}", f"-d{self.duration}s"]
        command += [f"--timeout={self.timeout}s", "-s", str(script)]
        for name, value in {**PROXY_HEADERS, **(headers or {})}.items():
            command += ["-H", f"{name}: {value}"]
        command.append(self.base + path)
        if args:
            command += ["--", *args]
        done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
        match = BENCH_LINE.search(done.stdout)
        if done.returncode or not match:
            sys.exit(f"wrk failed on {path}:\n{done.stdout}\n{done.stderr}")
        numbers = {key: int(value) for key, value in re.findall(r"(\w+)=(\d+)", match[1])}
        seconds = numbers["duration_us"] / 1e6
        numbers["rps"] = numbers["requests"] / seconds if seconds else 0.0
        numbers["errors"] = sum(
            numbers[k] for k in ("connect", "read", "write", "status", "timeout")
        )
        return numbers


class Workers:
    """Resident memory of the server's worker processes, read from /proc."""

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

    def wait_idle(self, *, window: float = 0.5, limit: float = 120.0) -> None:
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


def probe(base: str, path: str, *, warm: bool, timeout: int) -> Fetched | None:
    """Fetch a page before loading it; in a warm run, twice, so the second is a cache hit.

    None if it did not answer within ``timeout``: loading it would only measure timeouts.
    """
    try:
        fetched = fetch(base, path, timeout=timeout)
        if warm and fetched.status == 200:
            fetched = fetch(base, path, timeout=timeout)
    except TimeoutError:
        return None
    return fetched


def load_pages(args, manifest, wrk: Wrk, workers: Workers, levels: list[int], notes: list[str]):
    pages = [{"name": "baseline", "path": BASELINE_PATH}, *manifest["pages"]]
    if args.pages:
        wanted = [w.strip() for w in args.pages.split(",")]
        pages = [p for p in pages if p["name"] == "baseline" or any(w in p["name"] for w in wanted)]
    results = []
    single: dict[str, str] = {}
    warm = args.cache == "warm"
    for page in pages:
        fetched = probe(args.url, page["path"], warm=warm, timeout=args.timeout)
        if fetched is None:
            print(f"{page['name']}: no answer in {args.timeout} s, not loaded", flush=True)
            notes.append(f"{page['name']} ({page['path']}): no answer in {args.timeout} s.")
            workers.wait_idle()
            continue
        queries = fetched.headers.get("X-DB-Queries", "n/a")
        cache = fetched.headers.get("X-Page-Cache")
        print(
            f"{page['name']}: HTTP {fetched.status} in {fetched.ms:.0f} ms, {queries} queries"
            + (f", page cache {cache}" if cache else ""),
            flush=True,
        )
        if fetched.status != 200:
            if page["name"] == "baseline":
                notes.append(f"Baseline {BASELINE_PATH} answered HTTP {fetched.status}: no ratios.")
                continue
            notes.append(f"{page['name']} ({page['path']}) answered HTTP {fetched.status}.")
        single[page["name"]] = f"{fetched.ms:,.0f}" + (f" ({cache})" if cache else "")
        for concurrency in levels:
            workers.wait_idle()
            numbers = wrk.run(page["path"], concurrency)
            results.append(_result(page["name"], concurrency, numbers, queries, workers))
    if single:
        times = ", ".join(f"{name} {ms}" for name, ms in single.items())
        which = "second (after a warm-up)" if warm else "first"
        notes.append(f"One request alone, the {which} fetch, in ms (page cache): {times}.")
    return results


def _result(name: str, concurrency: int, numbers: dict, queries: str, workers) -> Result:
    result = Result(
        page=name,
        concurrency=concurrency,
        rps=numbers["rps"],
        p50=numbers["p50_us"] / 1000,
        p95=numbers["p95_us"] / 1000,
        p99=numbers["p99_us"] / 1000,
        errors=numbers["errors"],
        queries=queries,
        rss=workers.describe(),
        extra=numbers,
    )
    print(
        f"  c={concurrency:<3} {result.rps:9.1f} req/s  p50 {result.p50:8.1f} ms  "
        f"p99 {result.p99:8.1f} ms  errors {result.errors}",
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


def post_comments(args, manifest, wrk: Wrk, workers, levels, counter, notes) -> list[Result]:
    post = manifest["comment_post"]
    results = []
    run_id = time.strftime("%Y%m%dT%H%M%S")
    origin = "https://" + urlsplit(args.url).netloc
    for concurrency in levels:
        try:
            page = fetch(args.url, post["tip_path"], timeout=args.timeout)
        except TimeoutError:
            notes.append(f"Comment post skipped: {post['tip_path']} gave no form in time.")
            return results
        form_html = page.body.partition(f'action="{post["action"]}"')[2].partition("</form>")[0]
        fields = dict(FORM_FIELD.findall(form_html))
        cookie = next(
            (
                c.split(";")[0]
                for c in page.headers.get_all("Set-Cookie") or []
                if c.startswith("csrftoken=")
            ),
            "",
        )
        if page.status != 200 or len(fields) != 2 or not cookie:
            notes.append(
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
            notes.append(
                f"Comment post refused (HTTP {first.status}"
                + (f": {reason[1].strip()}" if reason else "")
                + "). The server needs FLOOD_INTERVAL_SECONDS=0 FLOOD_PER_HOUR=0 "
                "ANTISPAM_MIN_SECONDS=0."
            )
            return results
        workers.wait_idle()
        numbers = wrk.run(
            post["action"],
            concurrency,
            script=POST_LUA,
            args=[post["action"], cookie, form],
            headers={"Referer": headers["Referer"]},
        )
        workers.wait_idle()  # let the posts still in flight land before counting
        stored = counter.starting_with(marker)
        accepted = numbers["accepted"] + 1  # and the first, sent before wrk
        sent = numbers["sent"] + 1
        lost = max(accepted - stored, 0)
        refused = (
            f"; refusals answered HTTP {numbers['refused_status']}"
            if numbers["refused_status"]
            else ""
        )
        notes.append(
            f"Comment post c={concurrency}: {sent} sent, {accepted} accepted (302), {stored} "
            f"stored, {lost} lost"
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
        results.append(_result("comment post", concurrency, numbers, "n/a", workers))
    return results


def render(args, manifest, wrk, results, notes, memory_before, memory_after) -> str:
    baseline = {r.concurrency: r.rps for r in results if r.page == "baseline"}
    size = manifest["size"]
    vendor = manifest["database"]["vendor"]
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"## {vendor}, {args.cache} cache, {now}",
        "",
        f"{args.url} serving the {manifest.get('preset', '?')} network ({size['tips']:,} tips, "
        f"{size['comments']:,} comments, {size['categories']} categories); {wrk.version}, "
        f"{wrk.duration} s per level. Worker RSS (MiB, sum / max): {memory_before} before, "
        f"{memory_after} after.",
        "",
        "| page | conc. | req/s | p50 ms | p95 ms | p99 ms | × baseline | queries | errors "
        "| RSS MiB sum / max |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        ratio = f"{r.rps / baseline[r.concurrency]:.2f}" if baseline.get(r.concurrency) else "n/a"
        if r.extra["requests"]:
            latencies = f"{r.p50:.1f} | {r.p95:.1f} | {r.p99:.1f}"
        else:  # nothing finished within the duration: there is no latency to show
            latencies = "— | — | —"
        lines.append(
            f"| {r.page} | {r.concurrency} | {r.rps:,.1f} | {latencies} "
            f"| {ratio} | {r.queries} | {r.errors} | {r.rss} |"
        )
    lines += ["", *(f"- {note}" for note in notes), ""]
    return "\n".join(lines)


def main() -> None:
    args = parse_args()
    manifest = json.loads(args.manifest.read_text(encoding="utf-8"))
    levels = [int(level) for level in args.concurrency.split(",")]
    duration = args.duration or (10 if manifest.get("preset") == "full" else 3)
    wrk = Wrk(args.url, duration, args.timeout)
    workers = Workers(args.url, args.pid)

    try:
        home = fetch(args.url, "/", timeout=args.timeout)
    except (TimeoutError, ConnectionError) as error:
        sys.exit(f"{args.url}/ did not answer: {error}")
    if home.status != 200:
        sys.exit(f"{args.url}/ answered HTTP {home.status} ({home.headers.get('Location', '')}).")
    counter = None
    if not args.no_post:
        counter = CommentCounter(args.database_url)
        if counter.vendor != manifest["database"]["vendor"]:
            sys.exit(f"--database-url is {counter.vendor}; the manifest's data is not.")

    notes: list[str] = []
    memory_before = workers.describe()
    results = load_pages(args, manifest, wrk, workers, levels, notes)
    if counter:
        results += post_comments(args, manifest, wrk, workers, levels, counter, notes)
    memory_after = workers.describe()

    table = render(args, manifest, wrk, results, notes, memory_before, memory_after)
    print("\n" + table)
    args.results_dir.mkdir(parents=True, exist_ok=True)
    day = datetime.date.today().isoformat()
    path = args.results_dir / f"{manifest['database']['vendor']}-{args.cache}-{day}.md"
    with path.open("a", encoding="utf-8") as out:
        out.write(table + "\n")
    print(f"Appended to {path}")


if __name__ == "__main__":
    main()
