"""bench/run.py: reading wrk's numbers, walking address lists, drawing zipf traffic, counting
CPU and cache hits, emptying the server's cache, judging the targets."""

import collections
import http.server
import os
import random
import shutil
import subprocess
import sys
import threading
import uuid
from unittest import mock

import pytest

from bench import run

needs_wrk = pytest.mark.skipif(not shutil.which("wrk"), reason="needs wrk")

MANIFEST = {
    "preset": "full",
    "size": {"tips": 100_000, "comments": 1_000_000, "topics": 20, "categories": 400, "gurus": 200},
    "database": {"vendor": "postgresql", "name": "db"},
    "facts": {"public_tips": 98_800},
    "pages": [
        {"name": "home", "kind": "home", "path": "/"},
        {"name": "topic", "kind": "topic", "path": "/t/"},
        {"name": "category p1", "kind": "category", "path": "/t/c/"},
        {"name": "sitemap tips p1", "kind": "sitemap-tips", "path": "/sitemap-tips.xml"},
    ],
}


def row(name, rps, *, p95=10.0, concurrency=8, **numbers):
    numbers = {"requests": 100, "rps": rps, "errors": 0, "p50_us": 1000,
               "p95_us": int(p95 * 1000), "p99_us": 20_000, **numbers}  # fmt: skip
    return run.Row(name, "what", "TipSite", concurrency, numbers)


def a_run(rows=(), **renders):
    r = run.Run("full", 10, 20, 5, 7, [16], True, rows=list(rows))
    r.renders_by_page = {
        name: run.Render(ms, "4", 200, "miss", 2_000) for name, ms in renders.items()
    }
    return r


BASELINES = [row("stock ok", 2000), row("stock template", 1000), row("TipSite bare view", 1500)]
FAST_RENDERS = {"home": 9.0, "topic": 9.0, "sitemap tips p1": 20.0}


def judge(rows=(), *, small=None, rss=100 * run.MIB, renders=None):
    r = a_run([*BASELINES, *rows], **(FAST_RENDERS if renders is None else renders))
    return Checks(run.evaluate(r, MANIFEST, small, rss, "postgresql"))


class Checks:
    """The checks of a run, found by how their target begins."""

    def __init__(self, checks):
        self.checks = checks

    def __getitem__(self, start: str) -> run.Check:
        [found] = [check for check in self.checks if check.target.startswith(start)]
        return found

    def targets(self) -> list[str]:
        return [check.target for check in self.checks]


class Recorder(http.server.BaseHTTPRequestHandler):
    """Answers every GET, saying "hit" for /hit..., "miss" for /miss..., nothing otherwise."""

    seen: collections.Counter

    def do_GET(self):
        self.seen[self.path] += 1
        self.send_response(200)
        if self.path.startswith(("/hit", "/miss")):
            self.send_header("X-Page-Cache", "hit" if self.path.startswith("/hit") else "miss")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


@pytest.fixture
def recorder():
    handler = type("Handler", (Recorder,), {"seen": collections.Counter()})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}", handler.seen
    server.shutdown()


def test_wrk_numbers_are_read_with_rates_and_errors():
    numbers = run.parse_bench_line(
        "requests=500 duration_us=2000000 connect=1 read=0 write=0 status=2 timeout=1 "
        "p50_us=900 p95_us=4000 p99_us=9000 max_us=12000 hits=3"
    )
    assert numbers["rps"] == 250.0
    assert numbers["errors"] == 4
    assert numbers["p95_us"] == 4000
    assert numbers["hits"] == 3


@needs_wrk
def test_the_walker_never_sends_an_address_twice_in_a_row(recorder):
    """Eight connections on two threads share the list; a list that runs out stops the row."""
    base, seen = recorder
    paths = [f"/page/{n}" for n in range(200)]
    numbers = run.Wrk(10).walk(base, paths, 8, 1, mode="once")
    pages = {path: count for path, count in seen.items() if path.startswith("/page/")}
    assert max(pages.values()) == 1
    assert len(pages) > 150, "both threads walked their share"
    assert numbers["repeats"] == 0
    assert numbers["exhausted"] >= 1, "200 addresses last well under a second here"
    assert not set(seen) - set(paths) - {"/bench/list-exhausted/"}


@needs_wrk
def test_the_walker_counts_page_cache_hits_and_misses(recorder):
    base, seen = recorder
    paths = [f"/hit/{n}" for n in range(30)] + [f"/miss/{n}" for n in range(15)]
    paths += [f"/plain/{n}" for n in range(5)]
    random.Random(1).shuffle(paths)
    # One connection: every answer is read before the list runs out.
    numbers = run.Wrk(10).walk(base, paths, 1, 2, mode="once")
    answered = collections.Counter(path.split("/")[1] for path in seen if path in paths)
    assert (numbers["hits"], numbers["misses"], numbers["uncached"]) == (
        answered["hit"],
        answered["miss"],
        answered["plain"],
    )
    assert answered["hit"] >= 29, "wrk skips at most the one address it asks for to check"
    assert run.hit_ratio(numbers) == answered["hit"] / sum(answered.values())


@needs_wrk
def test_the_hot_row_sends_its_one_address_over_and_over(recorder):
    base, seen = recorder
    numbers = run.Wrk(10).walk(base, ["/hit/one"], 2, 1, mode="cycle")
    assert seen["/hit/one"] > 20
    assert numbers["hits"] >= numbers["requests"] > 20
    assert not numbers["exhausted"]


def test_the_hit_ratio_is_the_share_of_answers_from_the_page_cache():
    assert run.hit_ratio({"hits": 83, "misses": 15, "uncached": 2}) == 0.83
    assert run.hit_ratio({"hits": 0, "misses": 0, "uncached": 0}) is None
    assert run.hit_ratio({"requests": 10}) is None, "a row not walked by walk.lua"


def test_zipf_traffic_follows_zipfs_law():
    """With s=1.1 the k-th address comes 1/k^1.1 as often as the first."""
    items = [f"/tip/{n}" for n in range(1, 1001)]
    drawn = collections.Counter(run.zipf_sample(items, 200_000, random.Random(7)))
    harmonic = sum(1 / k**1.1 for k in range(1, 1001))
    assert drawn["/tip/1"] / 200_000 == pytest.approx(1 / harmonic, rel=0.03)
    assert drawn["/tip/1"] / drawn["/tip/2"] == pytest.approx(2**1.1, rel=0.05)
    assert drawn["/tip/1"] / drawn["/tip/10"] == pytest.approx(10**1.1, rel=0.1)
    assert sum(drawn[f"/tip/{n}"] for n in range(501, 1001)) < 0.1 * 200_000, "a long tail"
    assert set(drawn) <= set(items)


def test_the_zipf_universe_ranks_the_listings_first_then_up_to_20000_tips(tmp_path):
    listings, tips = tmp_path / "listings.txt", tmp_path / "tips.txt"
    listings.write_text("/\n/topic/\n")
    tips.write_text("".join(f"/tip/{n}/\n" for n in range(25_000)))
    manifest = {"lists": {"listings": {"path": listings}, "tips": {"path": tips}}}
    universe = run.zipf_universe(manifest)
    assert universe[:3] == ["/", "/topic/", "/tip/0/"]
    assert len(universe) == 2 + 20_000


def test_worker_cpu_per_request_comes_from_two_proc_samples():
    before = {101: 500, 102: 300}
    # 101 used 60 ticks, 102 30; 103 started during the row and used 10; 100 ticks a second.
    after = {101: 560, 102: 330, 103: 10}
    assert run.cpu_ms_per_request(before, after, 50, 100) == pytest.approx(20.0)
    assert run.cpu_ms_per_request(before, after, 0, 100) is None


def test_the_workers_cpu_is_read_from_proc_for_each_child_of_the_master():
    """A child that has used 0.3 s of CPU shows at least 0.2 s of it (ticks are coarse)."""
    burn = (
        "import time, sys\nwhile time.process_time() < 0.3: pass\n"
        "print(flush=True)\nsys.stdin.read()"
    )
    child = subprocess.Popen(  # noqa: S603
        [sys.executable, "-c", burn], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    try:
        child.stdout.readline()  # it has burnt its CPU and waits
        ticks = run.Workers("http://127.0.0.1:1", os.getpid()).cpu_ticks()
    finally:
        child.communicate(b"")
    assert ticks[child.pid] >= 0.2 * run.TICKS_PER_SECOND


def test_crawl_rows_are_judged_against_the_template_baseline_and_p95():
    checks = judge([row("crawl tips", 500, p95=49), row("crawl categories", 499, p95=10),
                    row("crawl searches", 300, p95=99)])  # fmt: skip
    assert checks["crawl tips"].ok
    assert "× 0.50 (500 of 1,000 req/s), p95 49.0 ms" in checks["crawl tips"].measured
    assert not checks["crawl categories"].ok, "0.499 × the template baseline"
    assert checks["crawl searches"].ok, "searches need 0.3 × and p95 under 100 ms"
    slow = judge([row("crawl tips", 900, p95=50), row("crawl searches", 900, p95=100)])
    assert not slow["crawl tips"].ok
    assert not slow["crawl searches"].ok


def test_a_crawl_row_that_completed_nothing_fails():
    checks = judge([row("crawl tips", 900, requests=0)])
    assert not checks["crawl tips"].ok
    assert "none done" in checks["crawl tips"].measured


def test_a_crawl_warms_up_on_addresses_its_row_never_sends():
    paths = [f"/tip/{n}/" for n in range(101)]
    warmup, measured = run.crawl_split(paths)
    assert not set(warmup) & set(measured)
    assert sorted(warmup + measured) == sorted(paths)
    assert len(measured) == 76


def test_home_topic_and_sitemap_are_judged_on_their_renders_with_nothing_cached():
    checks = judge(renders={"home": 14.9, "topic": 15.0, "sitemap tips p1": 24.0})
    assert checks["home rendered with nothing cached < 15 ms"].ok
    assert not checks["topic rendered with nothing cached < 15 ms"].ok
    assert checks["a sitemap section of 2,000 URLs < 25 ms"].ok
    assert "2,000 URLs" in checks["a sitemap section"].measured
    r = a_run(BASELINES, **FAST_RENDERS)
    r.renders_by_page["sitemap tips p1"] = run.Render(5.0, "4", 200, "miss", 1_976)
    [small] = [c for c in run.evaluate(r, MANIFEST, None, 0, "sqlite") if "sitemap" in c.target]
    assert small.measured.endswith("1,976 URLs (this network's section is smaller)")
    slow = judge(renders={**FAST_RENDERS, "sitemap tips p1": 25.0})
    assert not slow["a sitemap section"].ok


def test_a_hit_is_never_taken_for_a_render():
    r = a_run(BASELINES, **FAST_RENDERS)
    r.renders_by_page["home"] = run.Render(1.0, "0", 200, "hit", 0)
    checks = Checks(run.evaluate(r, MANIFEST, None, run.MIB, "postgresql"))
    assert not checks["home rendered"].ok
    assert "X-Page-Cache hit" in checks["home rendered"].measured


def test_zipf_is_judged_against_the_template_baseline_and_hot_against_ok():
    zipf = row("zipf", 1500, hits=83, misses=17, uncached=0)
    checks = judge([zipf, row("hot", 1200)])
    assert checks["zipf"].ok
    assert "× 1.50 (1,500 of 1,000 req/s), 83% hits" in checks["zipf"].measured
    assert checks["hot"].ok, "0.6 × the 2,000 req/s of the ok view"
    slow = judge([row("zipf", 1499), row("hot", 1199)])
    assert not slow["zipf"].ok
    assert not slow["hot"].ok


def test_baselines_measured_before_and_after_count_as_their_mean():
    r = a_run([row("stock template", 900), row("crawl tips", 500), row("stock template", 1100)])
    assert r.baseline("stock template") == 1000
    assert r.baseline("stock ok") is None


def test_the_targets_are_exactly_issue_16s():
    post = row("comment post", 250, concurrency=16, accepted_per_second=240.0, lost=0)
    rows = [row(name, 1) for name in ("crawl tips", "crawl categories", "crawl searches")]
    rows += [row("zipf", 1), row("hot", 1), post]
    checks = judge(rows, small={"_tips": 100, "home": "4"})
    assert [target.split(":")[0].split(" <")[0] for target in checks.targets()] == [
        "crawl tips",
        "crawl categories",
        "crawl searches",
        "home rendered with nothing cached",
        "topic rendered with nothing cached",
        "a sitemap section of 2,000 URLs",
        "zipf",
        "hot",
        "queries per page the same at 100 and 100,000 tips",
        "worker memory",
        "comment posts ≥ 200/s at c=16, none lost",
    ]


def test_query_counts_must_match_the_small_network():
    same = {"_tips": 100, "home": "4", "topic": "4", "sitemap-tips": "4"}
    assert judge(small=same)["queries per page"].ok
    more = {**same, "topic": "3"}
    failed = judge(small=more)["queries per page"]
    assert not failed.ok
    assert "topic 4 vs 3" in failed.measured


def test_memory_and_comment_posts_are_judged():
    post = row("comment post", 250, concurrency=16, accepted_per_second=190.0, lost=0)
    checks = judge([post], rss=160 * run.MIB)
    assert not checks["worker memory"].ok
    assert not checks["comment posts"].ok
    fast = row("comment post", 250, concurrency=16, accepted_per_second=240.0, lost=0)
    assert judge([fast])["comment posts"].ok
    lossy = row("comment post", 250, concurrency=16, accepted_per_second=240.0, lost=1)
    assert not judge([lossy])["comment posts"].ok


def test_the_table_names_each_row_with_its_cpu_hits_and_both_ratios():
    zipf = row("zipf", 1500, hits=83, misses=17, uncached=0, cpu_ms=1.25)
    r = a_run([*BASELINES, zipf], **FAST_RENDERS)
    checks = run.evaluate(r, MANIFEST, None, 10 * run.MIB, "postgresql")
    table = run.render("http://127.0.0.1:8787", r, MANIFEST, "wrk 4", checks, None, ("1", "2"))
    assert (
        "| zipf | what | 8 | 1,500.0 | 1.0 | 10.0 | 20.0 | 1.25 | 83% | 1.50 | 0.75 | 0 |" in table
    )
    assert "| stock template | what | 8 | 1,000.0 |" in table
    assert "| home | `/` | 9.0 | miss | 4 |" in table
    assert "✅ zipf: ≥ 1.5 × the template baseline" in table
    assert "cold" not in table
    assert "warm" not in table


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs Redis (REDIS_URL)")
def test_emptying_the_cache_removes_the_servers_keys_and_nothing_else():
    import redis

    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    prefix, other = f"bench-{uuid.uuid4().hex}", f"keep-{uuid.uuid4().hex}"
    client.mset({f"{prefix}:1:k{i}": "x" for i in range(2500)} | {f"{other}:1:k": "y"})
    workers = run.Workers("http://127.0.0.1:1", None)
    reset = run.CacheReset("http://127.0.0.1:1", workers, os.environ["REDIS_URL"], prefix, 30)
    reset()
    assert not list(client.scan_iter(match=f"{prefix}:*"))
    assert client.get(f"{other}:1:k") == b"y"
    client.delete(f"{other}:1:k")

    # A page loaded just before waits until the workers' copies of it have run out; another
    # page, which no worker has a copy of, does not wait.
    with mock.patch.object(run.time, "sleep") as sleep:
        reset.settle("/never-loaded/")
        assert sleep.call_count == 0
        reset.loaded("/loaded/")
        reset()
        reset.settle("/loaded/")
    (waited,) = sleep.call_args.args
    assert 29 < waited <= 30


def test_without_redis_the_server_empties_its_caches_and_the_workers_are_replaced():
    answers = iter([run.Fetched(200, {}, '{"per_worker": ["default"]}', 1.0),
                    run.Fetched(200, {}, '{"per_worker": ["recent_pages"]}', 1.0)])  # fmt: skip
    workers = mock.Mock(master=123)
    reset = run.CacheReset("http://127.0.0.1:1", workers, "", "")
    with (
        mock.patch.object(run, "fetch", side_effect=lambda *a, **k: next(answers)) as fetched,
        mock.patch.object(run.CacheReset, "replace_workers") as replaced,
    ):
        reset()
        assert replaced.call_count == 1, "a cache in each worker's memory"
        reset()
        assert replaced.call_count == 1, "shared caches and the recent pages, which expire"
    assert fetched.call_args.args[1] == "/bench/cache/clear/"
    assert fetched.call_args.kwargs["method"] == "POST"


REDIS = "redis://127.0.0.1:6379/14"


@pytest.mark.parametrize(
    ("redis", "recheck", "seconds", "says"),
    [
        ("redis://127.0.0.1:6379/14", 1.0, 600, "in Redis, pages kept 600 s, and each worker kept"),
        (
            "redis://127.0.0.1:6379/14",
            0.0,
            600,
            "in Redis, pages kept 600 s, and the workers kept no",
        ),
        ("", 1.0, 600, "in the database (no Redis), pages kept 600 s, and the workers kept no"),
        ("", 1.0, 0, "was off"),
    ],
)
def test_the_table_says_what_the_server_cached(redis, recheck, seconds, says):
    assert says in run.cache_setup(redis, recheck, seconds)


class CookieRecorder(Recorder):
    cookies: list

    def do_GET(self):
        self.cookies.append(self.headers.get("Cookie", ""))
        super().do_GET()


def test_before_pages_are_fetched_alone_every_worker_renders_each_one_uncached():
    """Three renders per worker and page, each a personal visit the page cache never serves."""
    handler = type("Handler", (CookieRecorder,), {"seen": collections.Counter(), "cookies": []})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    workers = type("TwoWorkers", (), {"pids": lambda self: [101, 102]})()
    servers = run.Servers(f"http://127.0.0.1:{server.server_port}", "", workers, workers)
    try:
        run.warm_up(servers, {"pages": [{"path": "/"}, {"path": "/topic/"}]}, timeout=10)
    finally:
        server.shutdown()
    assert handler.seen == {"/": 6, "/topic/": 6}
    assert set(handler.cookies) == {"tipsite_visitor=bench-warm-up"}
