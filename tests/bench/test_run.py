"""bench/run.py: reading wrk's numbers, emptying the server's cache, judging the targets."""

import collections
import http.server
import os
import shutil
import threading
import uuid
from unittest import mock

import pytest

from bench import run

MANIFEST = {
    "preset": "full",
    "size": {"tips": 100_000, "comments": 1_000_000, "topics": 20, "categories": 400, "gurus": 200},
    "database": {"vendor": "postgresql", "name": "db"},
    "facts": {"public_tips": 98_800},
    "pages": [
        {"name": "category p1", "kind": "category", "path": "/c/"},
        {"name": "category p500", "kind": "category-deep", "path": "/c/?page=500"},
        {"name": "search common", "kind": "search-common", "path": "/search/?q=a"},
    ],
}


def result(page, *, rps, baseline=1000.0, p95=10.0, concurrency=8, **extra):
    numbers = {"requests": 100, **extra}
    return run.Result(page, concurrency, rps, 1.0, p95, 20.0, 0, baseline, "4", "1 / 1", numbers)


def a_run(cache="cold", **renders):
    r = run.Run(cache, "full", [8], [16], 5, 1, True, 5, MANIFEST["pages"])
    r.renders_by_page = {name: run.Render(ms, "4", 200, "miss") for name, ms in renders.items()}
    return r


def judge(results, *, cache="cold", small=None, sitemap=None, rss=100 * run.MIB, **renders):
    checks = run.evaluate(
        a_run(cache, **renders), results, MANIFEST, small, sitemap, rss, "postgresql"
    )
    return Checks(checks)


class Checks:
    """The checks of a run, found by how their target begins."""

    def __init__(self, checks):
        self.checks = checks

    def __getitem__(self, start: str) -> run.Check:
        [found] = [check for check in self.checks if check.target.startswith(start)]
        return found


def test_wrk_numbers_are_read_with_rates_and_errors():
    numbers = run.parse_bench_line(
        "requests=500 duration_us=2000000 connect=1 read=0 write=0 status=2 timeout=1 "
        "p50_us=900 p95_us=4000 p99_us=9000 max_us=12000"
    )
    assert numbers["rps"] == 250.0
    assert numbers["errors"] == 4
    assert numbers["p95_us"] == 4000


def test_turns_of_a_page_are_joined_into_one_row():
    first = collections.Counter({900: 3, 1000: 1})
    second = collections.Counter({1000: 2, 5000: 1, 9000: 1})
    turns = [
        {"requests": 4, "duration_us": 1_000_000, "connect": 0, "read": 1, "write": 0,
         "status": 0, "timeout": 0, "max_us": 1000, "histogram": first},
        {"requests": 4, "duration_us": 1_000_000, "connect": 0, "read": 0, "write": 0,
         "status": 2, "timeout": 0, "max_us": 9000, "histogram": second},
    ]  # fmt: skip
    joined = run.merge_turns(turns)
    assert joined["rps"] == 4.0
    assert joined["errors"] == 3
    assert joined["max_us"] == 9000
    everything = first + second
    for p in (50, 95, 99):
        assert joined[f"p{p}_us"] == run.percentile(everything, p)
    # Eight answers: wrk ranks the 5th as the median and the 8th as the 99th percentile.
    assert run.percentile(everything, 50) == 1000
    assert run.percentile(everything, 99) == 9000


@pytest.mark.skipif(not shutil.which("wrk"), reason="needs wrk")
def test_percentiles_of_the_histogram_are_wrks_own():
    class Ok(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Ok)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        numbers = run.Wrk(f"http://127.0.0.1:{server.server_port}", 10).run(
            "/", 2, 1, histogram=True
        )
    finally:
        server.shutdown()
    assert numbers["requests"] > 100
    for p in (50, 95, 99):
        assert run.percentile(numbers["histogram"], p) == numbers[f"p{p}_us"]


def test_a_warm_full_run_says_it_measures_in_turns():
    warm = run.Run("warm", "full", [8], [16], 5, 1, True, 5, MANIFEST["pages"], turns=3)
    assert "the page in 3 turns of 1 s per row, each between 1 s of the baseline" in (
        run._method(warm)
    )
    assert "5 s per row" in run._method(a_run("cold"))


def test_a_page_below_the_cold_ratio_or_over_the_latency_fails_and_is_named():
    checks = judge(
        [result("category p1", rps=500), result("search common", rps=300, p95=120)],
        **{"category p1": 10.0, "category p500": 12.0},
    )
    ratio = checks["every page"]
    assert not ratio.ok
    assert "0.30 (search common)" in ratio.measured
    assert "search common" in ratio.measured.split("below:")[1]
    assert not checks["p95 < 50"].ok
    assert not checks["search p95"].ok
    assert checks["category p500"].ok, "12 ms is within 1.5 × 10 ms"


def test_a_warm_run_asks_for_eighty_percent():
    checks = judge([result("category p1", rps=790)], cache="warm")
    assert not checks["every page"].ok
    assert judge([result("category p1", rps=810)], cache="warm")["every page"].ok


def test_a_deep_page_slower_than_one_and_a_half_times_page_one_fails():
    checks = judge([], **{"category p1": 10.0, "category p500": 15.5})
    assert not checks["category p500"].ok
    assert "× 1.55" in checks["category p500"].measured


def test_query_counts_must_match_the_small_network():
    same = {"_tips": 100, "category": "4", "category-deep": "4", "search-common": "4"}
    renders = dict.fromkeys(("category p1", "category p500", "search common"), 5.0)
    assert judge([], small=same, **renders)["queries per page"].ok
    more = {**same, "search-common": "3"}
    failed = judge([], small=more, **renders)["queries per page"]
    assert not failed.ok
    assert "search common 4 vs 3" in failed.measured


def test_the_sitemap_must_list_every_public_tip_in_files_of_at_most_50000():
    good = {"/sitemap-tips.xml": 50_000, "/sitemap-tips.xml?p=2": 48_800}
    assert judge([], sitemap=good)["sitemap:"].ok
    smaller_files = {f"/sitemap-tips.xml?p={n}": 10_000 for n in range(1, 10)}
    assert judge([], sitemap=smaller_files | {"/sitemap-tips.xml?p=10": 8_800})["sitemap:"].ok
    too_big = {"/sitemap-tips.xml": 98_800}
    assert not judge([], sitemap=too_big)["sitemap:"].ok
    missing = {"/sitemap-tips.xml": 50_000}
    assert not judge([], sitemap=missing)["sitemap:"].ok
    uneven = {"/sitemap-tips.xml": 48_800, "/sitemap-tips.xml?p=2": 50_000}
    assert not judge([], sitemap=uneven)["sitemap:"].ok


def test_memory_and_comment_posts_are_judged():
    post = result("comment post", rps=250, concurrency=16, accepted_per_second=190.0, lost=0)
    checks = judge([post], rss=160 * run.MIB)
    assert not checks["worker memory"].ok
    assert not checks["comment posts"].ok
    fast = result("comment post", rps=250, concurrency=16, accepted_per_second=240.0, lost=0)
    assert judge([fast])["comment posts"].ok
    lossy = result("comment post", rps=250, concurrency=16, accepted_per_second=240.0, lost=1)
    assert not judge([lossy])["comment posts"].ok


def test_the_table_shows_each_row_its_baseline_and_the_targets():
    results = [result("category p1", rps=500)]
    r = a_run(**{"category p1": 9.5})
    checks = run.evaluate(r, results, MANIFEST, None, None, 10 * run.MIB, "postgresql")

    class Args:
        url = "http://127.0.0.1:8787"

    class FakeWrk:
        version = "wrk 4"

    table = run.render(Args, r, MANIFEST, FakeWrk, results, checks, None, ("1 / 1", "2 / 2"))
    assert "| category p1 | 8 | 500.0 | 1.0 | 10.0 | 20.0 | 1,000.0 | 0.50 | 4 | 0 |" in table
    assert "| category p1 | `/c/` | 9.5 | miss | 4 |" in table
    assert "❌ every page ≥ 0.40 × baseline at c=8: lowest 0.50" not in table
    assert "✅ every page ≥ 0.40 × baseline at c=8: lowest 0.50 (category p1)" in table


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


@pytest.mark.django_db
def test_the_query_count_header_counts_each_requests_queries(rf):
    from django.http import HttpResponse

    from tips.models import Tip
    from tipsite.middleware import QueryCountHeaderMiddleware

    def two_queries(request):
        Tip.objects.count()
        Tip.objects.exists()
        return HttpResponse("ok")

    assert QueryCountHeaderMiddleware(two_queries)(rf.get("/"))["X-DB-Queries"] == "2"
    none = QueryCountHeaderMiddleware(lambda request: HttpResponse("ok"))(rf.get("/"))
    assert none["X-DB-Queries"] == "0"
