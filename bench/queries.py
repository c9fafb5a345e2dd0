"""Queries per page on a small network, to set beside a large one's.

    .venv/bin/python bench/queries.py --like DATABASE_URL --out FILE

Loads the tiny network (100 tips) into a database of its own next to the large one's
(bench/data/bench-100.sqlite3, or <name>_100 on the same PostgreSQL server, created if need be),
then renders each page once in this process from an empty cache, as bench/run.py's pages
"rendered alone" are, and writes the queries each kind of page took as JSON. bench/run.py
shows them beside the large network's: the same numbers mean no page's query count grows with
the content.
"""

import argparse
import json
import os
import sys
import warnings
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BENCH_DIR.parent
SMALL_SQLITE = BENCH_DIR / "data" / "bench-100.sqlite3"


def small_database_url(like: str) -> str:
    """The small network's database: beside the large one, never the large one itself."""
    if like.startswith("sqlite:"):
        return f"sqlite:///{SMALL_SQLITE}"
    parts = urlsplit(like)
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") + "_100"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--like", required=True, help="the large network's DATABASE_URL")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args()

    url = small_database_url(args.like)
    # As the benchmark server counts them: page cache on, starting empty, DEBUG off, and the
    # same kind of cache (bench/suite.py passes its REDIS_URL): without Redis the cache is a
    # table in the database, whose queries the server's count holds too.
    os.environ.update(PAGE_CACHE_SECONDS="600", LOG_LEVEL="WARNING")
    os.environ.setdefault("REDIS_URL", "")
    # Pages render here without collected static files; whitenoise would say so at start-up.
    warnings.filterwarnings("ignore", "No directory at", UserWarning)
    sys.path.insert(0, str(BENCH_DIR))
    from generate import setup_django

    setup_django(url)

    from bench.network import SIZES, build
    from bench.progress import Phases

    print(f"Loading the small network into {url.split('@')[-1]}", flush=True)
    manifest = build(size=SIZES["tiny"], seed=args.seed, phases=Phases())
    counts = {"_tips": manifest["size"]["tips"], **page_queries(manifest)}
    args.out.write_text(json.dumps(counts, indent=2) + "\n", encoding="utf-8")
    print(f"Queries per page at {counts['_tips']} tips: {args.out}")


def page_queries(manifest: dict) -> dict[str, str]:
    """Each page's queries by kind, each rendered from an empty cache."""
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    counts = {}
    for page in manifest["pages"]:
        # Only this count's keys: the Redis may hold others' (its KEY_PREFIX is this run's).
        if hasattr(cache, "delete_pattern"):
            cache.delete_pattern("*")
        else:
            cache.clear()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(page["path"])
        if response.status_code != 200:
            raise SystemExit(f"{page['path']} answered {response.status_code}")
        counts[page["kind"]] = str(len(queries))
    return counts


if __name__ == "__main__":
    main()
